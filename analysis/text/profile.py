"""The words under the City profile's tables and charts: one-line summaries of the offense
mix, the hour x weekday grid, the district changes and the hot-spot cells
(analysis.query.profile computes the frames they read)."""

from __future__ import annotations

import pandas as pd

from analysis.geo.cells import cell_area_km2
from analysis.query.filters import CrimeFilter
from analysis.query.profile import HOTSPOT_RESOLUTION
from analysis.query.scope import Window
from analysis.stats.exact import chance_note, most_notable
from kernel.vocabulary import OFFENSE_LABELS


def _offense_words(filt: CrimeFilter) -> str:
    """'offenses (violent crime)' for a filter's offenses."""
    named = ", ".join(OFFENSE_LABELS[o].lower() for o in filt.offenses)
    return f"offenses ({named})" if named else "offenses"


def mix_summary(mix: pd.DataFrame, city: str, window: Window) -> str:
    """'In Jan–Dec 2025 Memphis recorded 1,234 offenses; the most common was ... .'"""
    if mix.empty or mix["current"].sum() == 0:
        return f"{city} recorded no offenses in {window.label}."
    top = mix.iloc[0]
    text = (
        f"In {window.label} {city} recorded {int(mix['current'].sum()):,} offenses; the most common was "
        f"{top['offense']} ({int(top['current']):,}, {top['share']:.0f}%)."
    )
    moved = mix[mix["judgement"].isin(["notable", "strong"])]
    if len(moved):
        biggest = moved.loc[most_notable(moved)]
        text += f" Most notable change: {biggest['offense']}, {biggest['change']}."
    elif window.prior_covered:
        text += " No offense changed notably from a year before."
    return text


def hour_summary(grid: pd.DataFrame, filt: CrimeFilter) -> str:
    """The busiest and quietest hour of the week."""
    total = int(grid["n"].sum())
    if total == 0:
        return "No offenses in this selection."
    busiest = grid.loc[grid["n"].idxmax()]
    quietest = grid.loc[grid["n"].idxmin()]
    by_day = grid.groupby("day", sort=False)["n"].sum()
    return (
        f"Of {total:,} {_offense_words(filt)}, the most began on {busiest['day']}s "
        f"{busiest['hour']:02d}:00–{busiest['hour']:02d}:59 ({int(busiest['n']):,}), the fewest on "
        f"{quietest['day']}s {quietest['hour']:02d}:00–{quietest['hour']:02d}:59 ({int(quietest['n']):,}); "
        f"busiest day: {by_day.idxmax()} ({100 * by_day.max() / total:.0f}% of the week)."
    )


def midnight_note(grid: pd.DataFrame) -> str:
    """What the data cannot tell about time: offenses without a time (left out), and the
    share recorded at exactly midnight."""
    unknown = int(grid["date_only"].sum())
    total = int(grid["n"].sum())
    at_midnight = int(grid["at_midnight"].sum())
    share = 100 * at_midnight / total if total else 0.0
    left_out = (
        f"{unknown:,} offenses have a date but no time of day and are not in the chart. " if unknown else ""
    )
    return left_out + (
        f"{at_midnight:,} of the charted offenses ({share:.1f}%) are recorded at exactly 00:00, which records "
        "systems often use when the time is unknown. For property crime (burglary, theft, vehicle theft) "
        "the victim usually finds the loss later: the recorded time may be the discovery time or a guess, "
        "and the true time lies somewhere in a window this data does not give (no 'from'/'to' times), so "
        "aoristic weighting cannot be applied. Read property-crime hours as approximate."
    )


def district_summary(frame: pd.DataFrame) -> str:
    """How many districts moved notably, in words."""
    if frame.empty:
        return "No district is recorded for this selection."
    if (frame["judgement"] == "no comparison").all():
        return "No data for the same months a year before: district changes cannot be judged."
    up = frame[(frame["direction"] == "up") & frame["judgement"].isin(["notable", "strong"])]
    down = frame[(frame["direction"] == "down") & frame["judgement"].isin(["notable", "strong"])]
    parts = []
    for word, part in (("up", up), ("down", down)):
        if len(part):
            names = ", ".join(part["district"].head(4)) + (" …" if len(part) > 4 else "")
            parts.append(f"{len(part)} notably {word} ({names})")
    if not parts:
        return (
            f"None of the {len(frame)} districts changed notably from a year before "
            f"(every change is within what chance alone would give, p ≥ 0.05). "
            + chance_note(len(frame), 0, "district changes")
        )
    return (
        f"Of {len(frame)} districts, "
        + " and ".join(parts)
        + "; the rest did not change notably. "
        + chance_note(len(frame), len(up) + len(down), "district changes")
    )


def hotspot_summary(frame: pd.DataFrame, res: int = HOTSPOT_RESOLUTION) -> str:
    """How concentrated the offenses are in the top cells."""
    if frame.empty:
        return "No located offenses in this selection."
    share = float(frame["share"].sum())
    area = len(frame) * cell_area_km2(res)
    text = (
        f"The {len(frame)} busiest cells (about {area:.1f} km² together) hold {share:.0f}% of the "
        f"located offenses in this selection; the busiest holds {int(frame['current'].iloc[0]):,}."
    )
    judged = frame[frame["judgement"].isin(["not notable", "notable", "strong"])]
    if len(judged):
        moved = int(judged["judgement"].isin(["notable", "strong"]).sum())
        text += (
            " "
            + chance_note(len(judged), moved, "cell changes")
            + " The cells are chosen for being busy now, which favours rises over falls."
        )
    return text
