"""Varied filter combinations: what an analyst clicks through in a session.

A `Combo` is everything any page's sidebar can set. Each page bench uses only the fields
its own sidebar offers (bench/pages.py), exactly as the page would build its filter.
Combinations are drawn with a fixed seed from the store's own cities, districts and data
span, so two runs on the same store time the same interactions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import duckdb

from analysis.query.filters import OFFENSE_KEYS, Granularity, Measure
from analysis.query.registry import city_names, data_span, district_names


@dataclass(frozen=True)
class Combo:
    """One filter state. Empty cities = all 12; start/end None = the whole span."""

    cities: tuple[str, ...] = ()
    offense: str = "violent_crime"
    start: date | None = None
    end: date | None = None
    districts: tuple[str, ...] = ()
    measure: Measure = "rate"
    firearm: bool = False
    year: int | None = None  # the briefing year (Presenter view)
    granularity: Granularity = "month"
    slide: int = 0  # the Presenter view's slide (an index into bench.pages.SLIDES)

    def label(self) -> str:
        cities = ",".join(c.split("_")[0] for c in self.cities) or "all"
        span = f"{self.start}..{self.end}" if self.start or self.end else "all dates"
        extra = f" districts={len(self.districts)}" if self.districts else ""
        extra += " firearm" if self.firearm else ""
        extra += " weekly" if self.granularity == "week" else ""
        return f"{cities} {self.offense} {span} {self.measure}{extra}"


DEFAULT = Combo()  # what a page shows on first load


def _periods(first: date, last: date) -> list[tuple[date | None, date | None]]:
    y = last.year
    return [
        (None, None),
        (date(y, 1, 1), last),
        (date(y - 2, 1, 1), last),
        (date(max(first.year, 2019), 1, 1), date(max(first.year, 2021), 12, 31)),
        (date(y - 1, 4, 1), date(y - 1, 6, 30)),
        (first, date(first.year + 1, 12, 31)),
    ]


def make_combos(con: duckdb.DuckDBPyConnection, n: int = 24, seed: int = 7) -> list[Combo]:
    """`n` combinations; the first is the default view, the rest vary every control."""
    rng = random.Random(seed)
    cities = list(city_names(con))
    span = data_span(con)
    if span is None:
        raise ValueError("the store holds no data")
    periods = _periods(*span)
    years = list(range(span[0].year + 1, span[1].year + 1))
    combos = [Combo(year=span[1].year)]
    while len(combos) < n:
        i = len(combos)
        size = (0, 1, 1, 2, 3, 6)[i % 6]
        chosen = tuple(sorted(rng.sample(cities, size)))
        offense = OFFENSE_KEYS[i % len(OFFENSE_KEYS)]
        start, end = periods[rng.randrange(len(periods))]
        districts: tuple[str, ...] = ()
        if len(chosen) == 1 and rng.random() < 0.5:
            options = district_names(con, chosen[0])
            districts = tuple(sorted(rng.sample(options, min(len(options), rng.choice((1, 2))))))
        combos.append(
            Combo(
                cities=chosen,
                offense=offense,
                start=start,
                end=end,
                districts=districts,
                measure="rate" if i % 2 else "count",
                firearm=offense in ("violent_crime", "aggravated_assault", "robbery") and rng.random() < 0.3,
                year=years[rng.randrange(len(years))],
                granularity="week" if i % 5 == 2 else "month",
                slide=i,
            )
        )
    return combos
