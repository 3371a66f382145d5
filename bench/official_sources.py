"""Where each city's official numbers come from, and how far FBI Return A and the RTCI agree.

    .venv/bin/python bench/official_sources.py [--db data/public.duckdb] [--build]

Prints, for the store built from every public file (`--build` builds it first into a
temporary file, with `ingest.public.build_public`):
- for each city, the official source of each year (official_monthly; several sources in
  one year are listed by the counts they supply);
- for each city, the median absolute percent difference between Return A and the RTCI
  for violent crime, over the months 2018-2023 both report (|RTCI - Return A| / Return A),
  with the yearly totals' differences beside it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis.series.official import sources_by_city_year  # noqa: E402

PAIRS_SQL = """
with a as (select city_id, month, count from monthly_counts where source = 'ucr_return_a' and offense = ?),
r as (select city_id, month, count from monthly_counts where source = 'rtci' and offense = ?)
select c.name as city, a.month, a.count as return_a, r.count as rtci
from a join r using (city_id, month) join cities c using (city_id)
where year(a.month) between ? and ?
order by city, month
"""


def source_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    years = sources_by_city_year(con)
    per_year = (
        years.sort_values(["city", "year", "cells", "source"], ascending=[True, True, False, True])
        .groupby(["city", "year"])
        .apply(
            lambda p: " + ".join(
                f"{s} ({m} mo)" if m < 12 else s for s, m in zip(p["source"], p["months"], strict=True)
            ),
            include_groups=False,
        )
        .rename("sources")
        .reset_index()
    )
    return per_year.pivot(index="year", columns="city", values="sources").fillna("—")


def agreement(
    con: duckdb.DuckDBPyConnection, offense: str = "violent_crime", first: int = 2018, last: int = 2023
) -> pd.DataFrame:
    pairs = con.execute(PAIRS_SQL, [offense, offense, first, last]).df()
    if pairs.empty:
        return pd.DataFrame(columns=["city", "months", "median_abs_pct", "max_abs_pct", "years_abs_pct"])
    pairs["abs_pct"] = (pairs["rtci"] - pairs["return_a"]).abs() * 100 / pairs["return_a"]
    pairs["year"] = pd.to_datetime(pairs["month"]).dt.year
    yearly = pairs.groupby(["city", "year"])[["return_a", "rtci"]].sum()
    yearly["abs_pct"] = (yearly["rtci"] - yearly["return_a"]).abs() * 100 / yearly["return_a"]
    out = pairs.groupby("city").agg(
        months=("abs_pct", "size"), median_abs_pct=("abs_pct", "median"), max_abs_pct=("abs_pct", "max")
    )
    out["years_abs_pct"] = [
        ", ".join(f"{y}: {v:.1f}" for (_, y), v in yearly.loc[[c]]["abs_pct"].items()) for c in out.index
    ]
    return out.reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "public.duckdb")
    parser.add_argument("--build", action="store_true", help="build the public store first (temporary file)")
    args = parser.parse_args()
    db = args.db
    if args.build:
        from ingest.public import build_public

        db = Path(tempfile.mkdtemp()) / "public.duckdb"
        build_public(db)
    con = duckdb.connect(str(db), read_only=True)
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 60)
    print(f"Store: {db}\n")
    print(
        "Official source per city and year (official_monthly; 'mo' = months supplied when fewer than 12):\n"
    )
    table = source_table(con)
    for city in table.columns:
        runs: list[tuple[int, int, str]] = []
        for year, value in table[city].items():
            if runs and runs[-1][2] == value and runs[-1][1] == year - 1:
                runs[-1] = (runs[-1][0], int(str(year)), value)
            else:
                runs.append((int(str(year)), int(str(year)), value))
        text = "; ".join(f"{a}" + (f"–{b}" if b != a else "") + f": {v}" for a, b, v in runs if v != "—")
        print(f"  {city}: {text}")
    print("\nReturn A vs RTCI, violent crime, months of 2018-2023 both report:")
    print(
        "median |RTCI - Return A| / Return A per month (%), the largest month, and the yearly totals' gap (%)\n"
    )
    print(agreement(con).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    con.close()


if __name__ == "__main__":
    main()
