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
import streamlit as st

from analysis.access import NEEDS, allows, guard
from analysis.sources.health import is_demo, store_sources
from kernel.settings import suppress_k
from kernel.store import StoreError, connect_readonly, cursor, version
from ui import auth
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


def query(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call an analysis function `fn(con, *args, **kwargs)`, cached on the store version
    and the (hashable) arguments, e.g. `query(counts_by_city_month, filt)`, and pass the
    result through the access policy for this session's role (analysis/access.guard:
    incident-level functions refused, small counts suppressed). The cache holds the full
    result, shared by every session; the guard runs on every call."""
    return guarded(fn, *args, **kwargs)()


def guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """`query(fn, ...)` as a function to call later, with the role checked now: for
    downloads made on click, outside the session's run. A refused call raises
    AccessDenied here, when the page asks, and is recorded in the audit trail."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    role = auth.role()
    k = suppress_k()
    if name in NEEDS and not allows(role, NEEDS[name]):
        auth.require(NEEDS[name], name)
    frozen = tuple(sorted(kwargs.items()))
    store = str(store_path())  # fixed now: a download clicked later reads the same dataset

    def run() -> Any:
        return guard(name, role, _call(name, store, store_version(), args, frozen), k)

    return run


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
