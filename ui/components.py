"""Small display components shared by pages: change badges and KPI cards.

A badge never relies on colour alone: it says "up"/"down", the counts, and the judgement
of the exact Poisson test in words, with its p-value in the text or the hover title.
Colours are from the Okabe-Ito colour-blind-safe set: orange for an increase in crime,
blue for a decrease, grey when the change is not notable or either period has fewer
than 10 offenses.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.stats.exact import LEVELS_TEXT, Change, format_p, with_p
from ui.exhibits import numbers_behind

UP, DOWN, NEUTRAL = "#D55E00", "#0072B2", "#595959"
ARROWS = {"up": "▲", "down": "▼", "no change": "●"}


def badge_html(change: Change, with_p: bool = True, with_diff: bool = False) -> str:
    """An inline badge: arrow + words + counts + judgement, coloured by direction.
    `with_p=False` moves the p-value into the hover title (for narrow tables);
    `with_diff=True` shows the absolute change beside the percentage. No colour or bold
    below 10 offenses in either period (Change.emphasis)."""
    colour = NEUTRAL
    if change.emphasis != "not notable":
        colour = UP if change.direction == "up" else DOWN if change.direction == "down" else NEUTRAL
    weight = "700" if change.emphasis == "strong" else "600" if change.emphasis == "notable" else "400"
    return (
        f'<span style="color:{colour};font-weight:{weight}" '
        f'title="{html.escape(format_p(change.p))}; {html.escape(LEVELS_TEXT)}">'
        f"{ARROWS[change.direction]} {html.escape(change.text(with_p, with_diff))}</span>"
    )


def change_badge(change: Change) -> None:
    st.markdown(badge_html(change), unsafe_allow_html=True)


def kpi(label: str, value: str, change: Change | None = None, help: str | None = None) -> None:
    """A KPI card: the label, the value in large type and its change badge underneath."""
    with st.container(border=True):
        st.markdown(f"**{html.escape(label)}**", help=help)
        st.markdown(
            f'<div style="font-size:2rem;line-height:1.2">{html.escape(value)}</div>', unsafe_allow_html=True
        )
        if change is not None:
            change_badge(change)


def chart_block(fig: Any, numbers: pd.DataFrame, summary: str, note: str, key: str, file_stem: str) -> None:
    """A Plotly chart with its one-line summary, its source/coverage note and its numbers.
    A chart with nothing to draw is replaced by its summary (which says why)."""
    if not fig.data:
        st.info(summary)
        st.caption(note)
        return
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False})
    st.markdown(summary)
    st.caption(note)
    numbers_behind(numbers, f"{file_stem}.csv", key=f"csv_{key}")


def change_table_html(table: pd.DataFrame, columns: Sequence[tuple[str, str]], value_label: str) -> str:
    """An HTML table, one row per city, one column per measure: the count, the rate and
    the change badge in words. `table` has city, measure, current, rate_current,
    current/previous and the change columns (analysis.series.changes.add_change); `columns` is
    [(measure key, heading)]. Scrolls sideways in a narrow window."""
    head = "".join(f"<th style='text-align:left;padding:4px 10px'>{html.escape(h)}</th>" for _, h in columns)
    cells_by_city: dict[str, dict[str, Any]] = {}
    for r in table.itertuples():
        cells_by_city.setdefault(str(r.city), {})[r.measure] = r
    rows = []
    for city in sorted(cells_by_city):
        cells = []
        by_measure = cells_by_city[city]
        for key, _ in columns:
            r = by_measure.get(key)
            if r is None or pd.isna(r.current):
                cells.append("<td style='padding:4px 10px;color:#595959'>no data</td>")
                continue
            rate = f"{r.rate_current:,.1f} {value_label}" if pd.notna(r.rate_current) else ""
            badge = (
                badge_html(
                    with_p(Change(int(r.current), int(r.previous), *_days(r)), r.p),
                    with_p=False,
                    with_diff=True,
                )
                if pd.notna(r.previous)
                else "<span style='color:#595959'>no complete prior year</span>"
            )
            cells.append(
                f"<td style='padding:4px 10px;vertical-align:top'><b>{int(r.current):,}</b>"
                f" <span style='color:#595959'>· {html.escape(rate)}</span><br>{badge}</td>"
            )
        rows.append(
            f"<tr><th style='text-align:left;padding:4px 10px'>{html.escape(city)}</th>{''.join(cells)}</tr>"
        )
    return (
        "<div style='overflow-x:auto'><table style='border-collapse:collapse;font-size:0.95rem'>"
        f"<thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _days(row: Any) -> tuple[float, float]:
    """A table row's exposures (days in each period), equal when it has none."""
    dc, dp = getattr(row, "days_current", 1.0), getattr(row, "days_previous", 1.0)
    return (float(dc), float(dp)) if pd.notna(dc) and pd.notna(dp) else (1.0, 1.0)


def swatch_legend(items: Sequence[tuple[str, str]]) -> None:
    """A legend in words, one line per (label, hex colour), each with a bordered swatch
    (so a white swatch still shows)."""
    lines = "".join(
        "<div><span style='display:inline-block;width:12px;height:12px;border-radius:6px;"
        f"border:1px solid #333;background:{html.escape(colour)}'></span> {html.escape(label)}</div>"
        for label, colour in items
    )
    st.markdown(f"<div style='line-height:1.8'>{lines}</div>", unsafe_allow_html=True)
