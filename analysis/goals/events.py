"""Dated events to mark on trend charts: interventions and series breaks.

Markers say *when* something happened, never that it caused what follows (association is
not causation: the pages say so next to the chart).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd


@dataclass(frozen=True)
class Marker:
    """A vertical line on a time axis. `cities` empty = applies to every city."""

    day: date
    label: str
    kind: Literal["intervention", "break"]
    cities: tuple[str, ...] = ()


# The PSP designation of the first cohort (announced June 2017) and Operation Relentless
# Pursuit (announced December 2019; of the PSP cities it covered Kansas City and Memphis).
INTERVENTIONS: tuple[Marker, ...] = (
    Marker(date(2017, 6, 1), "PSP launch (Jun 2017)", "intervention"),
    Marker(
        date(2019, 12, 1),
        "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)",
        "intervention",
        ("kansas_city_mo", "memphis_tn"),
    ),
)


def markers_for(city_ids: list[str], breaks: pd.DataFrame | None = None) -> list[Marker]:
    """The markers that concern the shown cities: interventions, then series breaks."""
    shown = set(city_ids)
    out = [m for m in INTERVENTIONS if not m.cities or shown & set(m.cities)]
    if breaks is not None and not breaks.empty:
        for row in breaks.itertuples():
            if row.city_id in shown:
                month = pd.Timestamp(row.month).date()
                out.append(Marker(month, f"{row.city}: {row.label}", "break", (str(row.city_id),)))
    return out
