"""The pandas baseline: the same page computations done the straightforward way.

Load the incidents once into a DataFrame (only the columns the pages need, strings as
categoricals, which is what a careful pandas user would do), then for every interaction
filter with boolean masks and group. No rollup tables, no DuckDB at interaction time:
this is what the dashboard would cost without the store's design. The small registry
tables (cities, populations, offenses) are read as frames too.

Every function returns the same frame as its analysis/ counterpart (checked by
`bench.run` on every run and by tests/bench), so the ratio compares equal work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.geo.places import city_places
from analysis.goals.goal import Goal
from analysis.goals.interventions import interventions_by_city
from analysis.goals.progress import stored_goals
from analysis.query.filters import CrimeFilter
from analysis.series.monthly import SERIES_COLUMNS
from analysis.series.official import STRAY_SHARE
from analysis.series.periods import Coverage, SourceSpan
from kernel.vocabulary import FIREARM_VIOLENT, OFFENSE_KEYS, RATE_BASE, TOTALS

# Enum types created in the in-memory catalog of the read-only connection, so DuckDB
# hands pandas categoricals instead of 100M Python strings.
ENUMS = {
    "city_e": "select city_id from store.cities",
    "part1_e": "select distinct part1_offense from store.offenses where part1_offense is not null",
    "group_e": "select distinct offense_group from store.offenses",
    "source_e": "select distinct source from store.daily_counts",
    "district_e": "select distinct district from store.daily_counts where district is not null",
    "basis_e": "select distinct date_basis from store.incidents where date_basis is not null",
}
LOAD_SQL = """
select city_id::memory.main.city_e as city_id,
       occurred_at,
       part1_offense::memory.main.part1_e as part1_offense,
       offense_group::memory.main.group_e as offense_group,
       district::memory.main.district_e as district,
       firearm,
       source::memory.main.source_e as source,
       lat is not null as geocoded,
       coalesce(time_known, true) as time_known,
       date_basis::memory.main.basis_e as date_basis
from store.incidents
where occurred_at is not null
"""


@dataclass
class PandasStore:
    """The incidents and registry tables held in memory as pandas frames."""

    incidents: pd.DataFrame
    cities: pd.DataFrame
    population: pd.DataFrame
    small: dict[str, pd.DataFrame]  # monthly_counts, quarantine, imports, interventions
    goals: list[Goal]
    places: pd.DataFrame  # analysis.geo.places.city_places (registry geometry, read once)
    load_s: float

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> PandasStore:
        """Load from a connection made by kernel.store.connect_readonly."""
        started = time.perf_counter()
        for name, query in ENUMS.items():
            con.execute(f"create or replace type memory.main.{name} as enum ({query} order by 1)")
        incidents = con.execute(LOAD_SQL).df()
        cities = con.execute("select city_id, name, state from store.cities").df()
        population = con.execute("select city_id, year, population from store.city_population").df()
        small = {
            "monthly_counts": con.execute(
                "select city_id, month, source, flag from store.monthly_counts"
            ).df(),
            "quarantine": con.execute("select city_id, month, source, kept from store.quarantine").df(),
            "imports": con.execute(
                "select import_id, source, standard, part1_scope, finished_at from store.imports"
            ).df(),
            "interventions": interventions_by_city(con),
        }
        goals = stored_goals(con)
        places = city_places(con)
        return cls(incidents, cities, population, small, goals, places, time.perf_counter() - started)

    @property
    def rows(self) -> int:
        return len(self.incidents)

    def memory_mb(self) -> float:
        return float(self.incidents.memory_usage(deep=True).sum()) / 1e6

    # Sidebar look-ups -------------------------------------------------------------
    def city_names(self) -> dict[str, str]:
        frame = self.cities.sort_values("name")
        return dict(zip(frame["city_id"], frame["name"] + ", " + frame["state"], strict=True))

    def incident_sources(self, cities: tuple[str, ...]) -> dict[str, str]:
        """Each city's incident extract (the demo stores hold one source per city: the
        pandas twin of analysis.series.provenance.incident_sources for them)."""
        frame = self.incidents[["city_id", "source"]].drop_duplicates()
        frame = frame[frame["city_id"].astype(str).isin(list(cities))]
        return {str(c): str(s) for c, s in zip(frame["city_id"], frame["source"], strict=True)}

    def data_span(self) -> tuple[date, date] | None:
        if self.incidents.empty:
            return None
        when = self.incidents["occurred_at"]
        return (when.min().date(), when.max().date())

    def district_names(self, city_id: str) -> list[str]:
        inc = self.incidents
        return sorted(inc.loc[inc["city_id"] == city_id, "district"].dropna().unique().tolist())

    def store_sources(self) -> list[str]:
        return sorted(self.incidents["source"].unique().tolist())

    def is_demo(self) -> bool:
        return "demo" in self.store_sources()

    # Filtering --------------------------------------------------------------------
    def mask(self, filt: CrimeFilter, by_month: bool = False) -> np.ndarray:
        """Rows the filter keeps. `by_month`: dates select whole months, as on the
        monthly table (a month is in range when its first day is)."""
        inc = self.incidents
        keep = np.ones(len(inc), dtype=bool)
        if filt.cities:
            keep &= inc["city_id"].isin(filt.cities).to_numpy()
        when = inc["occurred_at"]
        low, high = _bounds(filt, by_month)
        if low is not None:
            keep &= (when >= low).to_numpy()
        if high is not None:
            keep &= (when < high).to_numpy()
        if filt.sources:
            keep &= inc["source"].isin(filt.sources).to_numpy()
        if filt.offenses:
            keep &= self.offense_mask(filt.offenses)
        if filt.districts:
            keep &= inc["district"].isin(filt.districts).to_numpy()
        if filt.firearm_only:
            keep &= inc["firearm"].fillna(False).to_numpy(dtype=bool)
        return keep

    def offense_mask(self, offenses: tuple[str, ...]) -> np.ndarray:
        inc = self.incidents
        parts = [o for o in offenses if o not in TOTALS]
        groups = [o.removesuffix("_crime") for o in offenses if o in TOTALS]
        keep = inc["part1_offense"].isin(parts).to_numpy().copy()
        if groups:
            keep |= (inc["offense_group"].isin(groups) & inc["part1_offense"].notna()).to_numpy()
        return np.asarray(keep, dtype=bool)

    # Page computations --------------------------------------------------------------
    def counts_by_city_month(self, filt: CrimeFilter) -> pd.DataFrame:
        """Same frame as analysis.series.rates.counts_by_city_month (incident-based sources)."""
        inc = self.incidents
        scoped = inc[self.mask(filt, by_month=True)]
        month = scoped["occurred_at"].dt.to_period("M").dt.start_time
        frames = []
        for offense in filt.offenses:
            one = scoped[self.offense_mask_of(scoped, offense)]
            counts = (
                one.assign(month=month[one.index])
                .groupby(["city_id", "month", "source"], observed=True)
                .size()
                .rename("count")
                .reset_index()
            )
            counts["offense"] = offense
            frames.append(counts)
        cols = ["city_id", "month", "offense", "count", "source"]
        counts = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
        for col in ("city_id", "source"):
            counts[col] = counts[col].astype(str)
        # One source per city x offense: the one covering most months (ties: alphabetical).
        cover = counts.groupby(["city_id", "offense", "source"]).size().rename("months").reset_index()
        cover = cover.sort_values(["city_id", "offense", "months", "source"], ascending=[1, 1, 0, 1])
        best = cover.drop_duplicates(["city_id", "offense"])[["city_id", "offense", "source"]]
        frame = counts.merge(best, on=["city_id", "offense", "source"])
        frame = self._whole_months(frame, filt)
        frame = frame.merge(self.cities[["city_id", "name"]].rename(columns={"name": "city"}), on="city_id")
        frame["year"] = frame["month"].dt.year
        frame = frame.merge(self.population, on=["city_id", "year"], how="left")
        frame["rate"] = frame["count"] * RATE_BASE / frame["population"]
        frame = frame.sort_values(["city", "offense", "month"], ignore_index=True)
        return frame[["city_id", "city", "month", "offense", "count", "source", "population", "rate"]]

    def _whole_months(self, frame: pd.DataFrame, filt: CrimeFilter) -> pd.DataFrame:
        """As official_monthly holds an incident extract: every whole month it covers in
        the filter's range, a month without offenses a true zero (analysis/series/official.py)."""
        if frame.empty:
            return frame
        low, high = _bounds(filt, by_month=True)
        inc = self.incidents
        parts = []
        for (city_id, offense, source), part in frame.groupby(["city_id", "offense", "source"], sort=False):
            of_source = inc[(inc["source"] == source).to_numpy()]
            first_day, last_day = (
                of_source["occurred_at"].min().normalize(),
                of_source["occurred_at"].max().normalize(),
            )
            first = first_day.to_period("M").start_time
            if first_day.day != 1:
                first += pd.DateOffset(months=1)
            here = of_source[(of_source["city_id"] == city_id).to_numpy()]
            first = max(first, here["occurred_at"].min().to_period("M").start_time)
            last = last_day.to_period("M").start_time
            if not last_day.is_month_end:
                last -= pd.DateOffset(months=1)
            if low is not None:
                first = max(first, low)
            if high is not None:
                last = min(last, (high - pd.Timedelta(days=1)).to_period("M").start_time)
            months = pd.date_range(first, last, freq="MS")
            counts = part.set_index("month")["count"].reindex(months, fill_value=0)
            parts.append(
                pd.DataFrame(
                    {
                        "city_id": city_id,
                        "month": months,
                        "offense": offense,
                        "count": counts.to_numpy(),
                        "source": source,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def firearm_violent_by_city_month(self, filt: CrimeFilter) -> pd.DataFrame:
        """Same frame as analysis.series.city_series.firearm_violent_by_city_month."""
        inc = self.incidents
        # every violent offense of the scope: which sources record weapons is read from them
        keep = self.mask(replace(filt.firearm_violent(), firearm_only=False))
        violent = inc[keep]
        recorded = violent.loc[violent["firearm"].notna(), ["city_id", "source"]].drop_duplicates()
        shot = violent[violent["firearm"].fillna(False).to_numpy(dtype=bool)]
        month = shot["occurred_at"].dt.to_period("M").dt.start_time.rename("month")
        counts = shot.groupby([shot["city_id"], month, shot["source"]], observed=True).size().rename("count")
        counts = counts.reset_index()
        for col in ("city_id", "source"):
            counts[col] = counts[col].astype(str)
            recorded[col] = recorded[col].astype(str)
        counts = counts.merge(recorded, on=["city_id", "source"])
        cover = counts.groupby(["city_id", "source"]).size().rename("months").reset_index()
        cover = cover.sort_values(["city_id", "months", "source"], ascending=[1, 0, 1])
        best = cover.drop_duplicates("city_id")[["city_id", "source"]]
        frame = counts.merge(best, on=["city_id", "source"])
        frame["offense"] = FIREARM_VIOLENT
        frame = frame.merge(self.cities[["city_id", "name"]].rename(columns={"name": "city"}), on="city_id")
        frame["year"] = frame["month"].dt.year
        frame = frame.merge(self.population, on=["city_id", "year"], how="left")
        frame["rate"] = frame["count"] * RATE_BASE / frame["population"]
        frame = frame.sort_values(["city", "month"], ignore_index=True)
        return frame[["city_id", "city", "month", "offense", "count", "source", "population", "rate"]]

    def last_complete_month_by_city(self) -> dict[str, date]:
        return {c: m.date() for c, m in self.last_complete_by_city().items()}

    def offense_mask_of(self, frame: pd.DataFrame, offense: str) -> pd.Series:
        if offense in TOTALS:
            return frame["offense_group"].eq(offense.removesuffix("_crime")) & frame["part1_offense"].notna()
        return frame["part1_offense"].eq(offense)

    def last_complete_month(self, cities: tuple[str, ...]) -> date:
        """The latest month every chosen city has complete (analysis.sources.health's rule)."""
        inc = self.incidents
        day = inc["occurred_at"].dt.normalize()
        source_end = day.groupby(inc["source"], observed=True).max()
        pairs = inc[["city_id", "source"]].drop_duplicates()
        pairs = pairs.assign(end=pairs["source"].map(source_end).astype("datetime64[us]"))
        coverage = pairs.groupby("city_id", observed=True)["end"].max()
        if cities:
            coverage = coverage[coverage.index.isin(cities)]
        month_end = coverage + pd.offsets.MonthEnd(0)
        complete = coverage.dt.to_period("M").dt.start_time.where(
            coverage == month_end, (coverage.dt.to_period("M") - 1).dt.start_time
        )
        last: date = complete.min().date()
        return last

    # Goals, interventions, alerts: one monthly series ----------------------------------
    def _best_source(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Keep the source with most months (ties: alphabetical), as analysis does."""
        if frame.empty:
            return frame
        best = frame.groupby("source")["month"].count().sort_index().idxmax()
        return frame[frame["source"] == best]

    def monthly_series(self, city_id: str, offense: str, district: str | None = None) -> pd.DataFrame:
        """Same frame as analysis.series.city_series.monthly_series: zero-filled over coverage."""
        empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "count": [], "source": []})
        inc = self.incidents
        if district is None and offense in OFFENSE_KEYS:
            frame = self.counts_by_city_month(CrimeFilter(cities=(city_id,), offenses=(offense,)))
            frame = frame[["month", "count", "source"]]
        else:
            keep = (inc["city_id"] == city_id).to_numpy().copy()
            if district:
                keep &= (inc["district"] == district).to_numpy()
            if offense == FIREARM_VIOLENT:
                violent = keep & self.offense_mask(("violent_crime",))
                known = inc.loc[violent & inc["firearm"].notna().to_numpy(), "source"]
                recorded = set(known.astype(str).unique())
                keep = violent & inc["firearm"].fillna(False).to_numpy(dtype=bool)
            else:
                keep &= self.offense_mask((offense,))
                recorded = None
            part = inc[keep]
            month = part["occurred_at"].dt.to_period("M").dt.start_time.rename("month")
            frame = part.groupby([month, part["source"].astype(str)]).size().rename("count").reset_index()
            if recorded is not None:
                frame = frame[frame["source"].isin(recorded)]
            frame = self._best_source(frame)
        if frame.empty:
            return empty
        source = str(frame["source"].iloc[0])
        of_source = inc[(inc["source"] == source).to_numpy()]
        source_end = of_source["occurred_at"].max().normalize()
        here = of_source[(of_source["city_id"] == city_id).to_numpy()]
        first = here["occurred_at"].min().to_period("M").start_time
        monthly = self.small["monthly_counts"]
        counted = monthly[(monthly["city_id"] == city_id) & (monthly["source"] == source)]
        if not counted.empty:
            first = min(first, pd.Timestamp(counted["month"].min()))
        month_start = source_end.to_period("M").start_time
        last = month_start if source_end.is_month_end else month_start - pd.DateOffset(months=1)
        if last < first:
            return empty
        months = pd.date_range(first, last, freq="MS")
        counts = frame.assign(month=pd.to_datetime(frame["month"])).set_index("month")["count"]
        full = counts.reindex(months, fill_value=0).astype("int64")
        return pd.DataFrame({"month": months, "count": full.to_numpy(), "source": source})

    def last_complete_by_city(self) -> dict[str, pd.Timestamp]:
        """city -> last complete month (analysis.stats.cusum' rule, incident data)."""
        inc = self.incidents
        source_end = inc.groupby("source", observed=True)["occurred_at"].max().dt.normalize()
        pairs = inc[["city_id", "source"]].drop_duplicates()
        ends = pairs.assign(end=pairs["source"].map(source_end).astype("datetime64[us]"))
        out = {}
        for city, end in ends.groupby("city_id", observed=True)["end"].max().items():
            start = end.to_period("M").start_time
            out[str(city)] = start if end.is_month_end else start - pd.DateOffset(months=1)
        return out

    # Overview and Trends: complete period series ----------------------------------------
    def coverage(self) -> Coverage:
        """analysis.series.periods.coverage from the incidents: per city x source the first month
        (once the source reaches STRAY_SHARE of its busiest month) to the last complete one."""
        inc = self.incidents
        month = inc["occurred_at"].dt.to_period("M").dt.start_time.rename("month")
        per = inc.groupby([inc["city_id"], inc["source"], month], observed=True).agg(
            n=("geocoded", "size"), last=("occurred_at", "max")
        )
        per = per.reset_index()
        src = per.groupby(["source", "month"], observed=True).agg(n=("n", "sum"), last=("last", "max"))
        src = src.reset_index()
        spans = []
        for source, part in src.groupby("source", observed=True):
            typical = part["n"].max()
            first = part.loc[part["n"] >= STRAY_SHARE * typical, "month"].min()
            end = part["last"].max().normalize()
            start = end.to_period("M").start_time
            last = start if end.is_month_end else start - pd.DateOffset(months=1)
            cities = per[per["source"] == source].groupby("city_id", observed=True)["month"].min()
            for city, city_first in cities.items():
                lo = max(first, city_first)
                if lo <= last:
                    spans.append(SourceSpan(str(city), str(source), "incidents", lo.date(), last.date()))
        return Coverage(tuple(sorted(spans, key=lambda x: (x.city_id, x.source))))

    def period_series(self, filt: CrimeFilter, cov: Coverage, granularity: str = "month") -> pd.DataFrame:
        """analysis.series.monthly.period_series for incident sources: complete months or weeks per
        city x offense, zero-filled, with rates (the demo and other incident stores)."""
        daily = granularity == "week" or filt.firearm_only or bool(filt.districts)
        inc = self.incidents
        rows = []
        spans = [
            s for s in cov.spans if s.kind == "incidents" and (not filt.cities or s.city_id in filt.cities)
        ]
        base = self.mask(replace(filt, offenses=()), by_month=not daily)
        for offense in filt.offenses:
            keep = base & self.offense_mask((offense,))
            part = inc[keep]
            unit = "W-SUN" if granularity == "week" else "M"
            period = part["occurred_at"].dt.to_period(unit).dt.start_time.rename("period")
            counts = part.groupby([part["city_id"].astype(str).rename("city_id"), period]).size()
            for span in spans:
                grid = _period_grid(span, filt, granularity, daily)
                if len(grid) == 0:
                    continue
                n = counts.get(span.city_id)
                values = (
                    n.reindex(grid, fill_value=0) if n is not None else pd.Series(0, index=grid)
                ).to_numpy()
                rows.append(
                    pd.DataFrame(
                        {
                            "city_id": span.city_id,
                            "period": grid,
                            "offense": offense,
                            "source": span.source,
                            "kind": "incidents",
                            "count": values,
                        }
                    )
                )
        if not rows:
            return pd.DataFrame(columns=SERIES_COLUMNS)
        frame = pd.concat(rows, ignore_index=True)
        frame = frame.merge(self.cities[["city_id", "name"]].rename(columns={"name": "city"}), on="city_id")
        frame["year"] = frame["period"].dt.year
        frame = frame.merge(self.population, on=["city_id", "year"], how="left")
        frame["count"] = frame["count"].astype("Float64")
        frame["rate"] = frame["count"] * RATE_BASE / frame["population"]
        return frame.sort_values(["city", "offense", "period"], ignore_index=True)[SERIES_COLUMNS]

    # Data page ---------------------------------------------------------------------
    def source_months(self) -> pd.DataFrame:
        """city x source x month: rows, geocoded, no_time, date_basis, last_day, kind
        (analysis.sources.health's SOURCE_KINDS_SQL: incidents, then count-only sources)."""
        inc = self.incidents
        keys = [
            inc["city_id"],
            inc["source"],
            inc["occurred_at"].dt.to_period("M").dt.start_time.rename("month"),
        ]
        inc_side = (
            inc.assign(no_time=~inc["time_known"])
            .groupby(keys, observed=True)
            .agg(
                rows=("geocoded", "size"),
                geocoded=("geocoded", "sum"),
                no_time=("no_time", "sum"),
                date_basis=("date_basis", "first"),
                last_day=("occurred_at", "max"),
            )
            .reset_index()
        )
        inc_side["last_day"] = inc_side["last_day"].dt.normalize()
        inc_side["kind"] = "incidents"
        for col in ("city_id", "source", "date_basis"):
            inc_side[col] = inc_side[col].astype(str)
        monthly = self.small["monthly_counts"]
        monthly = monthly[~monthly["source"].isin(inc_side["source"].unique())]
        cnt = monthly.groupby(["city_id", "source", "month"]).size().rename("rows").reset_index()
        cnt = cnt.assign(
            kind="monthly counts",
            geocoded=np.nan,
            no_time=np.nan,
            date_basis=None,
            last_day=pd.to_datetime(cnt["month"]) + pd.offsets.MonthEnd(0),
        )
        return pd.concat([inc_side, cnt], ignore_index=True)

    def _complete_by_source(self, months: pd.DataFrame) -> pd.DataFrame:
        """city x source x kind -> last complete month (COVERAGE_SQL's rule)."""
        source_end = months.groupby("source")["last_day"].max()
        out = months.groupby(["city_id", "source", "kind"], as_index=False)["month"].max()
        end = out["source"].map(source_end)
        whole = end == end + pd.offsets.MonthEnd(0)
        inc_complete = end.dt.to_period("M").dt.start_time.where(
            whole, (end.dt.to_period("M") - 1).dt.start_time
        )
        out["last_complete_month"] = out["month"].where(out["kind"] != "incidents", inc_complete)
        return out.drop(columns="month")

    def coverage_by_source(self, months: pd.DataFrame | None = None) -> pd.DataFrame:
        """Same frame as analysis.sources.health.coverage_by_source (`months`: source_months())."""
        months = self.source_months() if months is None else months
        g = months.groupby(["city_id", "source", "kind"])
        out = g.agg(
            date_basis=("date_basis", "first"),
            first_month=("month", "min"),
            last_month=("month", "max"),
            months_with_data=("month", "size"),
            rows=("rows", "sum"),
            geocoded=("geocoded", "sum"),
        ).reset_index()
        span = (out["last_month"].dt.year - out["first_month"].dt.year) * 12 + (
            out["last_month"].dt.month - out["first_month"].dt.month
        )
        out["months_missing"] = span + 1 - out["months_with_data"]
        out["geocoded_share"] = (out["geocoded"] / out["rows"]).where(out["kind"] == "incidents")
        q = self.small["quarantine"]
        qs = q.groupby(["source", "city_id"]).agg(
            quarantined=("kept", lambda k: int((~k.astype(bool)).sum())),
            kept_unmapped=("kept", lambda k: int(k.astype(bool).sum())),
        )
        out = out.merge(qs.reset_index(), on=["source", "city_id"], how="left")
        out[["quarantined", "kept_unmapped"]] = (
            out[["quarantined", "kept_unmapped"]].fillna(0).astype("int64")
        )
        out = out.merge(self._complete_by_source(months), on=["city_id", "source", "kind"])
        imports = self.small["imports"]
        imports = imports[imports["finished_at"].notna()].sort_values("import_id")
        std = imports.groupby("source").agg(
            standard=("standard", lambda v: v.iloc[-1]),
            part1_scope=(
                "part1_scope",
                lambda v: next((x for x in reversed(v.tolist()) if x is not None), None),
            ),
            last_import=("finished_at", "max"),
        )
        out = out.merge(std.reset_index(), on="source", how="left")
        out = out.merge(self.cities[["city_id", "name"]], on="city_id")
        out = out.sort_values(["name", "first_month", "source"], ignore_index=True)
        # Whole-city sources whose first month is whole (the demo, and single-extract stores).
        out["coverage"] = "city"
        out["first_complete_month"] = out["first_month"]
        cols = [
            "city_id", "name", "source", "kind", "coverage", "standard", "part1_scope", "date_basis", "first_month",
            "last_month", "months_with_data", "months_missing", "rows", "geocoded_share", "quarantined",
            "kept_unmapped", "first_complete_month", "last_complete_month", "last_import",
        ]  # fmt: skip
        return out[cols]

    def _city_month_parts(self, months: pd.DataFrame) -> list[pd.DataFrame | pd.Series]:
        """Per city x month: incident rows and sources, count sources, derived totals and
        quarantined rows (each indexed by city_id, month)."""
        inc = months[months["kind"] == "incidents"]

        def joined(values: pd.Series) -> str:
            return ", ".join(sorted(set(values)))

        inc_cm = inc.groupby(["city_id", "month"]).agg(
            incidents=("rows", "sum"),
            geocoded=("geocoded", "sum"),
            no_time=("no_time", "sum"),
            incident_sources=("source", joined),
        )
        inc_cm["geocoded_share"] = inc_cm["geocoded"] / inc_cm["incidents"]
        cnt_cm = (
            months[months["kind"] != "incidents"]
            .groupby(["city_id", "month"])
            .agg(count_sources=("source", joined))
        )
        monthly = self.small["monthly_counts"]
        flags = monthly[monthly["flag"].notna()].groupby(["city_id", "month"]).size().rename("derived_counts")
        q = self.small["quarantine"]
        q = q[~q["kept"].astype(bool) & q["city_id"].notna() & q["month"].notna()]
        quarantined = q.groupby(["city_id", "month"]).size().rename("quarantined")
        return [inc_cm, cnt_cm, flags, quarantined]

    def _last_complete_by_kind(self, months: pd.DataFrame) -> pd.DataFrame:
        """Per city: the last complete month of its incident sources and of its count sources."""
        complete = self._complete_by_source(months)
        return pd.DataFrame(
            {
                "incidents_complete": complete[complete["kind"] == "incidents"]
                .groupby("city_id")["last_complete_month"]
                .max(),
                "counts_complete": complete[complete["kind"] != "incidents"]
                .groupby("city_id")["last_complete_month"]
                .max(),
            }
        )

    def health_by_city_month(self, months: pd.DataFrame | None = None) -> pd.DataFrame:
        """Same frame as analysis.sources.health.health_by_city_month (`months`: source_months())."""
        months = self.source_months() if months is None else months
        parts = self._city_month_parts(months)
        span = months.groupby("city_id")["month"].agg(["min", "max"])
        grid = pd.DataFrame(
            [(c, m) for c, row in span.iterrows() for m in pd.date_range(row["min"], row["max"], freq="MS")],
            columns=["city_id", "month"],
        )
        k = self._last_complete_by_kind(months)
        out = grid.merge(self.cities[["city_id", "name"]], on="city_id")
        for part in parts:
            out = out.merge(part.reset_index(), on=["city_id", "month"], how="left")
        out = out.merge(k.reset_index(names="city_id"), on="city_id", how="left")
        has_inc = out["incidents"].notna()
        out["has_data"] = has_inc | out["count_sources"].notna()
        limit = out["incidents_complete"].where(has_inc).fillna(out["counts_complete"])
        limit = limit.fillna(out["incidents_complete"])
        out["complete"] = out["month"] <= limit
        # The official series' source of a complete month (single-source stores: the one there is).
        # A complete month without an offense of the city's extract is a true zero, still its source.
        city_source = pd.Series(self.incident_sources(tuple(out["city_id"].astype(str).unique())))
        by_city = out["city_id"].astype(str).map(city_source)
        out["official_sources"] = (
            out["incident_sources"].fillna(by_city).fillna(out["count_sources"]).where(out["complete"])
        )
        for col in ("incidents", "no_time", "derived_counts", "quarantined"):
            out[col] = out[col].fillna(0).astype("int64")
        out = out.sort_values(["name", "month"], ignore_index=True)
        cols = [
            "city_id", "name", "month", "incidents", "incident_sources", "geocoded_share", "no_time",
            "count_sources", "derived_counts", "quarantined", "has_data", "complete", "official_sources",
        ]  # fmt: skip
        return out[cols]

    def months_without_data(self, health: pd.DataFrame) -> pd.DataFrame:
        gaps = health[~health["has_data"]].copy()
        if gaps.empty:
            return pd.DataFrame(columns=["city_id", "name", "first_month", "last_month", "months"])
        index = gaps["month"].dt.year * 12 + gaps["month"].dt.month
        gaps["run"] = index - gaps.groupby("city_id").cumcount()
        out = gaps.groupby(["city_id", "name", "run"]).agg(
            first_month=("month", "min"), last_month=("month", "max"), months=("month", "size")
        )
        return out.reset_index().drop(columns="run").sort_values(["name", "first_month"], ignore_index=True)

    def series_breaks(self, months: pd.DataFrame) -> pd.DataFrame:
        """Months where the set of sources behind a city's data changes (incident side and
        count side apart), as in analysis.sources.health.series_breaks (source changes)."""
        m = months[months["kind"] != "area counts"].assign(side=months["kind"] == "incidents")
        per = m.groupby(["city_id", "side", "month"])["source"].agg(lambda v: ", ".join(sorted(set(v))))
        per = per.reset_index().sort_values(["city_id", "side", "month"])
        per["before"] = per.groupby(["city_id", "side"])["source"].shift()
        changes = per[per["before"].notna() & (per["before"] != per["source"])]
        return changes.rename(columns={"source": "after"})

    def quarantine_by_reason(self) -> pd.DataFrame:
        return self.small["quarantine"].groupby(["source", "kept"]).size().rename("rows").reset_index()


def _period_grid(span: SourceSpan, filt: CrimeFilter, granularity: str, daily: bool) -> pd.DatetimeIndex:
    """The complete periods of `span` inside the filter's dates: months or weeks wholly
    inside the range when counted from days, else months whose first day is in it."""
    first, last_month = pd.Timestamp(span.first_month), pd.Timestamp(span.last_month)
    if not daily:
        start = filt.start
        if start is not None and start.day != 1:
            start = (pd.Timestamp(start) + pd.offsets.MonthBegin(1)).date()
        lo = max(first, pd.Timestamp(start) if start else first)
        hi = min(last_month, pd.Timestamp(filt.end.replace(day=1)) if filt.end else last_month)
        return pd.date_range(lo, hi, freq="MS")
    lo = max(first, pd.Timestamp(filt.start) if filt.start else first)
    hi = min(
        last_month + pd.offsets.MonthEnd(0),
        pd.Timestamp(filt.end) if filt.end else last_month + pd.offsets.MonthEnd(0),
    )
    if granularity == "week":
        p0 = (lo + pd.Timedelta(days=6)).to_period("W-SUN").start_time
        p1 = (hi + pd.Timedelta(days=1)).to_period("W-SUN").start_time - pd.Timedelta(days=7)
        return pd.date_range(p0, p1, freq="7D")
    p0 = (lo + pd.DateOffset(months=1) - pd.Timedelta(days=1)).to_period("M").start_time
    p1 = (hi + pd.Timedelta(days=1) - pd.DateOffset(months=1)).to_period("M").start_time
    return pd.date_range(p0, p1, freq="MS")


def _bounds(filt: CrimeFilter, by_month: bool) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """[low, high) on occurred_at. By month, a month is in when its first day is: from the
    first month starting on or after `start` to the end of `end`'s month."""
    low = pd.Timestamp(filt.start) if filt.start else None
    high = pd.Timestamp(filt.end) + pd.Timedelta(days=1) if filt.end else None
    if by_month:
        if low is not None and low.day != 1:
            low = low + pd.offsets.MonthBegin(1)
        if high is not None:
            high = pd.Timestamp(filt.end) + pd.offsets.MonthBegin(1)  # type: ignore[arg-type]
    return low, high
