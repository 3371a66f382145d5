"""[counts] of a mapping: how a file of published counts is laid out, and the rules for
its flags, repeated months and months not reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, cast

from ingest.errors import MappingError
from ingest.mapping.dates import DateSpec, parse_date
from ingest.mapping.table import TomlTable
from kernel.vocabulary import OFFENSE_KEYS


@dataclass(frozen=True)
class DuplicatesSpec:
    """What to do with a month a counts file lists more than once (e.g. two releases).

    Copies are never summed. They are numbered by their order in the file (copy 1 = the
    month's first row). `keep` chooses one: "first" / "last" copy, or the copy with the
    "lowest" / "highest" value of the `compare` column; with per = "year" the values are
    summed over each copy's months of the calendar year, so one release is kept for the
    whole year (never a mix of releases inside a year). The copies not kept go to
    superseded_counts.
    """

    keep: Literal["first", "last", "lowest", "highest"] = "first"
    compare: str | None = None  # a numeric column of the file
    per: Literal["month", "year"] = "month"
    why: str = ""  # the evidence for the rule, stored with every superseded copy


@dataclass(frozen=True)
class NotReportedSpec:
    """Rows that mean "the agency did not report this month", not "no offenses".

    blank: every mapped count is empty; all_zero: every mapped count is 0. Such months are
    recorded in source_months as 'not reported' and nothing is written for them.
    zero_is_missing: offenses for which a 0 means not reported (a city of 100,000 does not
    have a month without a theft); the 0 is dropped, and so is a total containing it.
    """

    blank: bool = False
    all_zero: bool = False
    zero_is_missing: tuple[str, ...] = ()
    # A reported month right after a run of all-zero months that began in the same calendar
    # year holds the offenses of the whole run (a late report): it goes to period_counts for
    # that period, and the month itself is not a monthly figure.
    lump_after_zeros: bool = False


@dataclass(frozen=True)
class CountsSpec:
    """Aggregate counts: one column per offense (wide) or category/value rows (long)."""

    layout: Literal["wide", "long"] = "wide"
    month: DateSpec | None = None  # a date column giving the month (or period end)
    year_column: str | None = None  # or: year and month columns
    month_column: str | None = None
    month_format: str = "%m"  # strptime format of month_column, e.g. %b for 'Jan'
    columns: dict[str, str] = field(default_factory=dict)  # wide: offense -> column
    category: str | None = None  # long: column with the publisher's category
    value: str | None = None  # long: column with the count
    area: str | None = None  # long: column with a small-area id (ZCTA)
    area_kind: str = "zcta"
    categories: dict[str, str | None] = field(default_factory=dict)  # category -> offense | None
    derive_totals: bool = True  # violent/property totals from complete components when empty
    previous: str | None = None  # period_counts: column with the same period a year earlier
    population: str | None = None  # the publisher's agency population -> agency_population
    negative: Literal["quarantine", "keep"] = "quarantine"  # keep: net adjustments (flagged)
    flag_column: str | None = None  # a column whose values flag the counts (flag_values)
    flag_values: dict[str, str] = field(default_factory=dict)  # lower-cased value -> flag text
    duplicates: DuplicatesSpec | None = None  # None: a repeated month is a duplicate row
    not_reported: NotReportedSpec = NotReportedSpec()


def _offense_columns(t: TomlTable | None) -> dict[str, str]:
    """[counts.columns] offense = 'column' (wide layout)."""
    columns: dict[str, str] = {}
    if t is not None:
        for offense, column in t.raw.items():
            if offense not in OFFENSE_KEYS:
                raise t.err(offense, f"offense must be one of {', '.join(OFFENSE_KEYS)}")
            if not isinstance(column, str):
                raise t.err(offense, "must be a column name")
            columns[offense] = column
    return columns


def _categories(t: TomlTable | None) -> dict[str, str | None]:
    """[counts.categories] category = 'offense' or '' (long layout)."""
    categories: dict[str, str | None] = {}
    if t is not None:
        for category, offense in t.raw.items():
            if not isinstance(offense, str) or (offense and offense not in OFFENSE_KEYS):
                raise t.err(category, f"must be '' (not mapped) or one of {', '.join(OFFENSE_KEYS)}")
            categories[category.strip().lower()] = offense or None
    return categories


def parse_counts(t: TomlTable | None, kind: str) -> CountsSpec:
    """[counts]: the layout, the month, the offense columns or categories, and the rules
    for flags, repeated months and months not reported."""
    if t is None:
        if kind in ("monthly_counts", "period_counts"):
            raise MappingError(f"[counts] is required for kind = '{kind}'")
        return CountsSpec()
    columns = _offense_columns(t.sub("columns"))
    categories = _categories(t.sub("categories"))
    spec = CountsSpec(
        layout=cast(Literal["wide", "long"], t.choice("layout", ("wide", "long"), "wide")),
        month=parse_date(t.sub("month")),
        year_column=t.get("year_column", str),
        month_column=t.get("month_column", str),
        month_format=t.get("month_format", str, "%m"),
        columns=columns,
        category=t.get("category", str),
        value=t.get("value", str),
        area=t.get("area", str),
        area_kind=t.get("area_kind", str, "zcta"),
        categories=categories,
        derive_totals=t.get("derive_totals", bool, True),
        previous=t.get("previous", str),
        population=t.get("population", str),
        negative=cast(
            Literal["quarantine", "keep"], t.choice("negative", ("quarantine", "keep"), "quarantine")
        ),
        flag_column=t.get("flag_column", str),
        flag_values=_flag_values(t.sub("flag_values")),
        duplicates=_duplicates(t.sub("duplicates")),
        not_reported=_not_reported(t.sub("not_reported")),
    )
    _check_counts(t, spec)
    return spec


def _check_counts(t: TomlTable, spec: CountsSpec) -> None:
    """The [counts] keys that need one another."""
    if spec.flag_values and not spec.flag_column:
        raise t.err("flag_values", "needs flag_column (the column whose values they are)")
    if spec.month is None and not (spec.year_column and spec.month_column):
        raise t.err("month", "give [counts.month] (column, format) or year_column + month_column")
    if spec.layout == "wide" and not spec.columns:
        raise t.err("columns", "layout = 'wide' needs [counts.columns] offense = 'column'")
    if spec.layout == "long" and not (spec.category and spec.value):
        raise t.err("category", "layout = 'long' needs category and value columns")
    if spec.layout == "long" and not spec.categories:
        raise t.err("categories", "layout = 'long' needs [counts.categories] category = 'offense' or ''")
    t.done(("columns", "categories", "month", "flag_values", "duplicates", "not_reported"))


def _flag_values(t: TomlTable | None) -> dict[str, str]:
    if t is None:
        return {}
    out: dict[str, str] = {}
    for value, text in t.raw.items():
        if not isinstance(text, str) or not text:
            raise t.err(value, "must be the flag text (a non-empty string)")
        out[value.strip().lower()] = text
    return out


def _duplicates(t: TomlTable | None) -> DuplicatesSpec | None:
    if t is None:
        return None
    keep = t.choice("keep", ("first", "last", "lowest", "highest"))
    spec = DuplicatesSpec(
        keep=cast(Literal["first", "last", "lowest", "highest"], keep),
        compare=t.get("compare", str),
        per=cast(Literal["month", "year"], t.choice("per", ("month", "year"), "month")),
        why=t.get("why", str, ""),
    )
    if keep in ("lowest", "highest") and not spec.compare:
        raise t.err("compare", f"keep = '{keep}' needs the column to compare")
    t.done()
    return spec


def _not_reported(t: TomlTable | None) -> NotReportedSpec:
    if t is None:
        return NotReportedSpec()
    spec = NotReportedSpec(
        blank=t.get("blank", bool, False),
        all_zero=t.get("all_zero", bool, False),
        zero_is_missing=t.strings("zero_is_missing"),
        lump_after_zeros=t.get("lump_after_zeros", bool, False),
    )
    if spec.lump_after_zeros and not spec.all_zero:
        raise t.err("lump_after_zeros", "needs all_zero = true (the months the lump sum covers)")
    bad = [o for o in spec.zero_is_missing if o not in OFFENSE_KEYS]
    if bad:
        raise t.err("zero_is_missing", f"not offenses: {bad}; use {', '.join(OFFENSE_KEYS)}")
    t.done()
    return spec
