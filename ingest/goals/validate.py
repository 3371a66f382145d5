"""Validating goals and interventions against the store: the inputs first, then the data
(the city's series exists, every baseline year is complete, the baseline is not zero)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import duckdb

from analysis.goals.goal import GoalSpec
from analysis.query.registry import city_names, district_names
from analysis.series.city_series import monthly_series
from ingest.goals.spec import (
    MAX_BASELINE_YEARS,
    MAX_PERIOD_MONTHS,
    MAX_TEXT,
    TARGET_MAX,
    TARGET_MIN,
    InterventionSpec,
)
from kernel.months import months_spanned
from kernel.vocabulary import SERIES_LABELS, SERIES_OFFENSES


def _text_problems(label: str, value: str | None) -> list[str]:
    if value is not None and len(value) > MAX_TEXT:
        return [f"The {label} is {len(value)} characters long; keep it under {MAX_TEXT}."]
    return []


def _city(con: duckdb.DuckDBPyConnection, city_id: str) -> tuple[dict[str, str], list[str]]:
    """The registry's city names, and the problem if `city_id` is not one of them."""
    cities = city_names(con)
    if city_id in cities:
        return cities, []
    return cities, [f"Unknown city {city_id!r}. Use one of: {', '.join(sorted(cities))}."]


def _input_problems(con: duckdb.DuckDBPyConnection, spec: GoalSpec, cities: dict[str, str]) -> list[str]:
    """What is wrong with the inputs themselves: offense, numbers, dates, texts, district."""
    problems: list[str] = []
    if spec.offense not in SERIES_OFFENSES:
        problems.append(f"Unknown offense {spec.offense!r}. Use one of: {', '.join(SERIES_OFFENSES)}.")
    target = spec.target_change_pct
    if not isinstance(target, int | float) or not math.isfinite(target):
        problems.append(f"The target change must be a number of percent, not {target!r}.")
    elif not TARGET_MIN <= target <= TARGET_MAX:
        problems.append(
            f"A target change of {target:+g}% is outside the allowed range "
            f"{TARGET_MIN:+g}% to {TARGET_MAX:+g}%. Use e.g. -10 for a 10% reduction."
        )
    if spec.deadline < spec.start_date:
        problems.append(f"The deadline ({spec.deadline}) is before the start date ({spec.start_date}).")
    elif months_spanned(spec.start_date, spec.deadline) > MAX_PERIOD_MONTHS:
        problems.append(
            f"The goal runs {months_spanned(spec.start_date, spec.deadline)} months; "
            f"keep it to {MAX_PERIOD_MONTHS} months (five years) or fewer."
        )
    problems += _baseline_year_problems(spec)
    problems += _text_problems("owner", spec.owner)
    problems += _text_problems("note", spec.note)
    if spec.district is not None and spec.city_id in cities:
        known = district_names(con, spec.city_id)
        if spec.district not in known:
            shown = ", ".join(known[:15]) if known else "none (this city has no district data)"
            problems.append(f"Unknown district {spec.district!r} in {cities[spec.city_id]}. Known: {shown}.")
    return problems


def _baseline_year_problems(spec: GoalSpec) -> list[str]:
    """The baseline years: given, distinct, few, plausible and before the goal starts."""
    problems: list[str] = []
    years = spec.baseline_years
    if not years:
        problems.append("Give a baseline year (or several years for a mean).")
    elif len(set(years)) != len(years):
        problems.append(f"The baseline years {list(years)} repeat a year.")
    elif len(years) > MAX_BASELINE_YEARS:
        problems.append(f"Use at most {MAX_BASELINE_YEARS} baseline years.")
    implausible = [y for y in years if not 1900 <= y <= 2100]
    if implausible:
        problems.append(f"Baseline year {implausible[0]} is not a plausible year.")
    late = [y for y in years if 1900 <= y <= 2100 and date(y, 12, 31) >= spec.start_date.replace(day=1)]
    if late:
        problems.append(
            f"Baseline year {late[0]} does not end before the goal starts ({spec.start_date}); "
            "a baseline must be a period before the goal."
        )
    return problems


def _data_problems(con: duckdb.DuckDBPyConnection, spec: GoalSpec, city: str) -> list[str]:
    """Checks against the data: the series exists, every baseline year is complete, and
    the baseline is not zero."""
    years = spec.baseline_years
    series = monthly_series(con, spec.city_id, spec.offense, spec.district)
    what = f"{SERIES_LABELS[spec.offense].lower()} in {city}"
    if spec.district:
        what += f", {spec.district}"
    if series.empty:
        reason = " (its data does not record weapons)" if spec.offense == "firearm_violent_crime" else ""
        return [f"The store has no data for {what}{reason}."]
    first, last = series["month"].min(), series["month"].max()
    # A year is complete when the series has all twelve of its months (the official series
    # has no row for a month no source reports).
    months = series["month"].dt.year.value_counts()
    missing = [y for y in sorted(years) if int(months.get(y, 0)) < 12]
    if missing:
        have = int(months.get(missing[0], 0))
        return [
            f"Baseline year {missing[0]} has no complete data for {what}: the data covers "
            f"{first:%b %Y} to {last:%b %Y}" + (f", with {have} of its 12 months." if have else ".")
        ]
    in_years = series[series["month"].dt.year.isin(years)]
    if int(in_years["count"].sum()) == 0:
        return [
            f"The baseline has no offenses ({what}, {', '.join(map(str, years))}): a percentage target needs a count above zero."
        ]
    return []


def validate_goal(con: duckdb.DuckDBPyConnection, spec: GoalSpec) -> list[str]:
    """Every problem with `spec` against the store behind `con` (empty list = valid)."""
    cities, problems = _city(con, spec.city_id)
    problems += _input_problems(con, spec, cities)
    if problems:
        return problems
    # Data checks: only once the inputs themselves make sense.
    return _data_problems(con, spec, cities[spec.city_id])


def validate_intervention(con: duckdb.DuckDBPyConnection, spec: InterventionSpec) -> list[str]:
    """Every problem with `spec` (empty list = valid)."""
    _, problems = _city(con, spec.city_id)
    if not spec.name or not spec.name.strip():
        problems.append("Give the intervention a name.")
    elif len(spec.name) > 120:
        problems.append("Keep the name under 120 characters.")
    if spec.end_date is not None and spec.end_date < spec.start_date:
        problems.append(f"The end date ({spec.end_date}) is before the start date ({spec.start_date}).")
    if not date(1990, 1, 1) <= spec.start_date <= date(2100, 1, 1):
        problems.append(f"The start date {spec.start_date} is not a plausible date.")
    problems += _text_problems("area", spec.area)
    problems += _text_problems("note", spec.note)
    return problems


def batch_problems(con: duckdb.DuckDBPyConnection, specs: Sequence[GoalSpec]) -> list[str]:
    problems: list[str] = []
    for i, spec in enumerate(specs, start=1):
        found = validate_goal(con, spec)
        prefix = f"Goal {i}: " if len(specs) > 1 else ""
        problems += [prefix + p for p in found]
    return problems
