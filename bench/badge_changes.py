"""Every change badge of a store whose label moves from the old rule to the new one.

    .venv/bin/python bench/badge_changes.py --db data/real.duckdb [--all]

Old rule: z = 2 (sqrt(now) - sqrt(before)), |z| >= 2 notable, |z| >= 3 strong. New rule
(analysis.stats.exact): the exact conditional binomial test of two Poisson counts with the days
of each period as exposure, notable p < 0.05, strong p < 0.001.

The badges looked at are those the app shows in its default views:
- Overview: the year-to-date table (every city x violent crime, murder, firearm-involved
  violent crime, cut at the last month every city has complete) and its headline
  ("violent crime moved notably in N of M cities"); the map colours the same cells;
- Trends (violent crime, all cities): the last month against the same month a year
  before, and the last 12 months against the 12 before;
- City profile, for every city with incident data and every offense of the sidebar, at
  the default period (the last 12 complete months against the 12 before): the two KPI
  badges, the offense mix, the districts and the ten hot-spot cells;
- Briefing packs for the Overview's year: the YTD slide (the Overview table again) and
  the trend slides' totals, for the all-city pack and each one-city pack.

Prints one line per badge whose label changed (page / table, city, row, before -> after,
counts, p) and, per table, how many badges it has and how many changed. --all prints
unchanged badges too.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.query.filters import CrimeFilter  # noqa: E402
from analysis.query.profile import district_changes, hotspot_cells, offense_mix, total_change, window_days  # noqa: E402
from analysis.query.registry import city_names  # noqa: E402
from analysis.query.scope import comparison_window, scoped  # noqa: E402
from analysis.query.scope import coverage as city_coverage  # noqa: E402
from analysis.series.changes import rolling_change, same_month_last_year  # noqa: E402
from analysis.series.compare import strongest_change, ytd_by_city  # noqa: E402
from analysis.series.monthly import period_series, rolling_12  # noqa: E402
from analysis.series.periods import coverage  # noqa: E402
from analysis.stats.exact import compare_counts, days_between, format_p  # noqa: E402
from kernel.vocabulary import FIREARM_VIOLENT, OFFENSE_KEYS, OFFENSE_LABELS, SERIES_LABELS  # noqa: E402
from report.briefing import briefing_outline, briefing_slide  # noqa: E402
from report.slides import TREND_SLIDES, trend_key  # noqa: E402


def old_label(current: int, previous: int) -> str:
    """The retired rule: Wheeler's z = 2 (sqrt(current) - sqrt(previous))."""
    z = 2 * (math.sqrt(current) - math.sqrt(previous))
    return "strong" if abs(z) >= 3 else "notable" if abs(z) >= 2 else "not notable"


@dataclass(frozen=True)
class Badge:
    page: str
    city: str
    row: str
    current: int
    previous: int
    days_current: float
    days_previous: float

    @property
    def old(self) -> str:
        return old_label(self.current, self.previous)

    @property
    def new(self) -> str:
        return compare_counts(self.current, self.previous, self.days_current, self.days_previous).strength

    @property
    def p(self) -> float:
        return compare_counts(self.current, self.previous, self.days_current, self.days_previous).p

    def line(self) -> str:
        mark = "CHANGED " if self.old != self.new else "        "
        return (
            f"{mark}{self.page} | {self.city} | {self.row} | {self.old} -> {self.new} | "
            f"{self.previous:,} -> {self.current:,} | {format_p(self.p)}"
        )


def rows(
    frame: pd.DataFrame, page: str, label: str, days: tuple[float, float] | None = None
) -> Iterator[Badge]:
    """Badges of a frame with city, current, previous (and days_* columns or `days`)."""
    for r in frame.itertuples():
        if pd.isna(r.current) or pd.isna(r.previous):
            continue
        dc, dp = days if days else (float(r.days_current), float(r.days_previous))
        yield Badge(page, str(r.city), str(getattr(r, label)), int(r.current), int(r.previous), dc, dp)


def overview(con: duckdb.DuckDBPyConnection) -> tuple[list[Badge], int, str]:
    ytd = ytd_by_city(con, CrimeFilter(), coverage(con))
    if ytd.window is None:
        return [], 0, ""
    table = ytd.table.assign(row=[SERIES_LABELS[m] for m in ytd.table["measure"]])
    page = f"Overview YTD {ytd.window.label()}"
    return list(rows(table, page, "row")), ytd.window.year, strongest_change(ytd.table)


def trends(con: duckdb.DuckDBPyConnection) -> list[Badge]:
    monthly = period_series(con, CrimeFilter(offenses=("violent_crime",)), coverage(con))
    same = same_month_last_year(monthly).assign(
        row=lambda f: "violent crime, " + f["month"].dt.strftime("%b %Y")
    )
    roll = rolling_change(rolling_12(monthly))
    roll = roll.assign(row=lambda f: "violent crime, 12 months to " + f["month"].dt.strftime("%b %Y"))
    return [*rows(same, "Trends same month", "row"), *rows(roll, "Trends 12 months", "row")]


def city_profile(con: duckdb.DuckDBPyConnection) -> list[Badge]:
    out: list[Badge] = []
    names = city_names(con)
    for city_id, name in names.items():
        for offense in OFFENSE_KEYS:
            filt = scoped(con, CrimeFilter(cities=(city_id,), offenses=(offense,)))
            if filt is None:
                break
            cov = city_coverage(con, city_id, filt.sources[0])
            window = comparison_window(cov, filt) if cov is not None else None
            if window is None or not window.prior_covered:
                break
            days = window_days(window)
            what = OFFENSE_LABELS[offense].lower()
            districts = district_changes(con, filt, window)
            if offense == OFFENSE_KEYS[0]:  # the mix ignores the sidebar's offense
                mix = offense_mix(con, filt, window).assign(city=name)
                out += rows(mix, f"City profile offense mix {window.label}", "offense", days)
                everything = total_change(mix)
                out.append(
                    Badge(
                        "City profile KPI",
                        name,
                        "all offenses",
                        everything.current,
                        everything.previous,
                        *days,
                    )
                )
            if len(districts):
                kpi = total_change(districts)
                out.append(Badge("City profile KPI", name, what, kpi.current, kpi.previous, *days))
                out += rows(districts.assign(city=name), f"City profile districts, {what}", "district", days)
            cells = hotspot_cells(con, filt, window).assign(city=name)
            out += rows(cells, f"City profile hot spots, {what}", "h3", days)
    return out


def briefing(con: duckdb.DuckDBPyConnection, year: int) -> list[Badge]:
    """The trend slides' totals of the all-city pack and each one-city pack (their YTD
    slides hold the Overview table's cells)."""
    out: list[Badge] = []
    names = city_names(con)
    for cities in [(), *((c,) for c in names)]:
        try:
            b = briefing_outline(con, cities, year)
        except ValueError:
            continue
        (cs, ce), (ps, pe) = b.window.current, b.window.prior
        for offense, firearm in TREND_SLIDES:
            slide = briefing_slide(con, b, trend_key(offense, firearm))
            if slide.data is None or slide.data.empty:
                continue
            months = pd.to_datetime(slide.data["period"])
            now = int(slide.data[(months >= pd.Timestamp(cs)) & (months <= pd.Timestamp(ce))]["count"].sum())
            before = int(
                slide.data[(months >= pd.Timestamp(ps)) & (months <= pd.Timestamp(pe))]["count"].sum()
            )
            label = SERIES_LABELS[FIREARM_VIOLENT if firearm else offense]
            out.append(
                Badge(
                    f"Briefing trend slide {b.period_label}",
                    b.city_label,
                    label,
                    now,
                    before,
                    days_between(cs, ce),
                    days_between(ps, pe),
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--all", action="store_true", help="print unchanged badges too")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    badges, year, headline = overview(con)
    badges += trends(con)
    badges += city_profile(con)
    if year:
        badges += briefing(con, year)
    print(f"store: {args.db}")
    by_page: dict[str, list[Badge]] = {}
    for b in badges:
        by_page.setdefault(b.page.split(" ")[0] + " " + b.page.split(" ")[1], []).append(b)
    for b in badges:
        if args.all or b.old != b.new:
            print(b.line())
    print()
    for page, part in by_page.items():
        changed = sum(b.old != b.new for b in part)
        print(f"{page}: {len(part)} badges, {changed} changed label")
    old_firm = [b for b in badges if b.page.startswith("Overview") and b.row == "Violent crime"]
    print(
        f"Overview headline, violent crime moved notably: old rule {sum(b.old != 'not notable' for b in old_firm)} "
        f"of {len(old_firm)} cities, new rule {sum(b.new != 'not notable' for b in old_firm)} of {len(old_firm)}"
    )
    print(f"Overview headline now: {headline}")
    con.close()


if __name__ == "__main__":
    main()
