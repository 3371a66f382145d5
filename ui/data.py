"""One cached read-only connection and cached analysis calls.

The connection is cached per store *version* (inode + mtime): when an import swaps a new
store file into place, the next rerun opens it, and cached query results keyed on the old
version are no longer hit. Each query takes its own cursor because a DuckDB connection is
not thread-safe and Streamlit serves sessions from several threads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analysis.health import is_demo, store_sources
from analysis.store import StoreError, connect_readonly, cursor, version
from ui.dataset import store_path


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(path: str, store_version: tuple[int, int]) -> duckdb.DuckDBPyConnection:
    return connect_readonly(Path(path))


def store_version() -> tuple[int, int]:
    path = store_path()
    try:
        return version(path)
    except FileNotFoundError:
        return (0, 0)


def connection() -> duckdb.DuckDBPyConnection:
    """A cursor on the current store version; stops the page with a clear message if the
    store is missing or too old."""
    path = store_path()
    try:
        return cursor(_open(str(path), store_version()))
    except (StoreError, duckdb.Error) as exc:
        st.error(f"The data store cannot be opened. {exc}")
        st.stop()
        raise  # unreachable; st.stop raises


@st.cache_data(max_entries=512, show_spinner=False)
def _call(
    name: str,
    store: str,
    store_version: tuple[int, int],
    args: tuple[Any, ...],
    kwargs: tuple[tuple[str, Any], ...],
) -> Any:
    # `store` (the dataset's path) is part of the key: two datasets never share a result.
    module, _, attr = name.rpartition(".")
    fn = getattr(importlib.import_module(module), attr)
    return fn(connection(), *args, **dict(kwargs))


def query(fn: Callable[..., pd.DataFrame], *args: Any, **kwargs: Any) -> Any:
    """Call an analysis function `fn(con, *args, **kwargs)`, cached on the store version
    and the (hashable) arguments, e.g. `query(counts_by_city_month, filt)`."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _call(name, str(store_path()), store_version(), args, tuple(sorted(kwargs.items())))


def sources() -> list[str]:
    return list(query(store_sources))


def demo_banner() -> None:
    """A banner on every page while anything shown comes from the synthetic demo data."""
    if query(is_demo):
        st.warning(
            "**DEMO DATA** — every number on this page comes from a synthetic dataset "
            "generated for demonstration (`python -m ingest demo`). It is not real crime "
            "data for any city. See *How to load real data* in the README.",
            icon="⚠️",
        )
