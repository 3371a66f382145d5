"""What goes around every chart and map: the one-line summary, the source note, the
"numbers behind" expander with a CSV download, and a map legend in words."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.geo.cell_decks import ColourBin
from ui.data import guarded
from ui.exports import download_csv


def footer(summary: str, note: str) -> None:
    """The one-line text summary and, in small type, the source/coverage note."""
    st.markdown(summary)
    st.caption(note)


def numbers_behind(
    frame: pd.DataFrame,
    file_name: str,
    label: str = "Numbers behind this chart",
    column_config: dict[str, Any] | None = None,
    note: str | None = None,
    columns: Sequence[str] | None = None,
    csv: Callable[[], pd.DataFrame] | None = None,
    key: str | None = None,
) -> None:
    """An expander with the chart's data as a table and a CSV download of it (only
    `columns`, in that order, when given; `csv` makes the file instead when the table
    shows only part of it; `key` names the button when two files could share a name). The
    CSV is made when the button is clicked, not on every run. The one "numbers behind"
    of every chart, map and table.

    The table is drawn only while the expander is open (a rerun on opening it): sent
    closed on every rerun, these tables were most of what a filter change sent to the
    browser (two thirds of the Trends page's 490 KB at 10M offenses, issue 16)."""
    with st.expander(label, key=f"numbers_{key or file_name}", on_change="rerun") as box:
        if note:
            st.caption(note)
        if box.open:
            st.dataframe(
                frame, hide_index=True, width="stretch", column_config=column_config, column_order=columns
            )
        download_csv("Download CSV", csv or frame, file_name, key=key, columns=None if csv else columns)


def table_section(
    title: str, frame: pd.DataFrame, caption: str | None = None, empty: str | None = None
) -> None:
    """A subheader with its table and caption; when the table is empty, the line `empty`
    says so (or, without one, the section is left out)."""
    if frame.empty and empty is None:
        return
    st.subheader(title)
    if frame.empty:
        st.markdown(str(empty))
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    if caption:
        st.caption(caption)


def csv_download(frame: pd.DataFrame, file_name: str, label: str = "Download this table (CSV)") -> None:
    """A CSV download of a table already on the page, with every column (made on click)."""
    download_csv(label, frame, file_name)


def lazy_csv(fn: Callable[..., pd.DataFrame], *args: Any, cached: bool = True) -> Callable[[], pd.DataFrame]:
    """The frame of a download that is computed only when clicked (ui/exports.download_csv):
    `fn(con, *args)` through the cached (and guarded) query layer, or `fn(*args)` when
    cached=False. The query layer's guard is applied now, for this session's role, since
    the click is served outside the session."""
    if cached:
        return guarded(fn, *args)

    def make() -> pd.DataFrame:
        return fn(*args)

    return make


def legend(bins: Sequence[ColourBin], title: str) -> None:
    """A colour legend that says in words what each colour holds (wraps in narrow windows)."""
    items = "".join(
        '<span style="display:inline-flex;align-items:center;margin:0 1rem 0.3rem 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:1.1rem;height:1.1rem;background:{b.colour};'
        'border:1px solid #555;margin-right:0.4rem"></span>'
        f"{html.escape(b.label)} ({b.cells:,} cells)</span>"
        for b in bins
    )
    st.markdown(
        f'<div role="img" aria-label="{html.escape(title)}"><strong>{html.escape(title)}</strong><br>'
        f'<div style="display:flex;flex-wrap:wrap">{items}</div></div>',
        unsafe_allow_html=True,
    )
