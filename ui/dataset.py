"""The sidebar's Dataset switch: which store every page reads. Its choice lives in the
URL (`?dataset=demo`), so a link reopens the same data.

Rendered by dashboard.py before the page runs, so it is on every page. The options are
the stores analysis.sources.datasets lists (names, never paths); a link naming anything else gets
a notice and the default (PSP_DB, else the public store). Switching drops the other
filters' state: a city or district of one store may not exist in the other.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analysis.sources.datasets import DEMO, default_dataset, list_datasets
from kernel.settings import db_path

KEY = "dataset"
_PREVIOUS = "_dataset_previous"


_PATH = "_dataset_path"


def store_path() -> Path:
    """The store the session reads: the chosen dataset's file (resolved once per run by
    dataset_switch), else PSP_DB's default."""
    path = st.session_state.get(_PATH)
    return Path(path) if isinstance(path, str) else db_path().resolve()


def dataset_switch() -> None:
    """The Dataset select box in the sidebar (or a line saying how to get a store)."""
    datasets = list_datasets()
    names = [d.name for d in datasets]
    default = default_dataset(datasets, db_path())
    if KEY not in st.session_state or st.session_state[KEY] not in names:
        raw = st.query_params.get(KEY)
        if raw is not None and raw not in names:
            st.warning(f"The link asked for an unknown dataset {raw[:40]!r}; it was ignored.", icon="🔗")
        st.session_state[KEY] = raw if raw in names else (default.name if default else None)
    with st.sidebar:
        if not datasets:
            st.caption("No store in data/: run `make run` (public data) or `make demo`.")
            return
        labels = {d.name: d.label for d in datasets}
        chosen = st.selectbox(
            "Dataset",
            names,
            format_func=lambda n: labels[n],
            key=KEY,
            help="Each dataset is one store in data/ (never mixed). `make demo` adds the synthetic demo; "
            "`python -m ingest import ... --db data/NAME.duckdb` adds your own.",
        )
        if DEMO not in names:
            st.caption("The synthetic demo is one command away: `make demo`.")
    if chosen is not None:
        st.query_params[KEY] = chosen
    previous = st.session_state.get(_PREVIOUS)
    if previous is not None and previous != chosen:
        for key in list(st.session_state.keys()):
            if key not in (KEY, _PREVIOUS, _PATH) and not str(key).startswith("FormSubmitter"):
                del st.session_state[key]
    st.session_state[_PREVIOUS] = chosen
    paths = {d.name: d.path for d in datasets}
    st.session_state[_PATH] = str(paths[chosen]) if chosen in paths else None
