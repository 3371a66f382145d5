"""A select box whose value lives in the URL as a raw option (a slug or an id), not as its
display label, so links stay stable when labels change (e.g. a goal's status).

On a session's first run the URL value is checked against the options; an unknown value
gets a visible notice and the widget falls back to its first option. After that the widget
drives and the URL follows (as ui/filters.py does for the sidebar).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st


def url_selectbox(
    label: str,
    options: Sequence[str],
    key: str,
    format_func: Callable[[str], str] = str,
    what: str | None = None,
    **kwargs: object,
) -> str | None:
    """st.selectbox over `options` whose choice is mirrored in the URL parameter `key`."""
    if not options:
        return None
    if key not in st.session_state or st.session_state[key] not in options:
        raw = st.query_params.get(key)
        if raw is not None and raw not in options:
            st.warning(
                f"The link asked for an unknown {what or label.lower()} {raw[:40]!r}; it was ignored.",
                icon="🔗",
            )
        st.session_state[key] = raw if raw in options else options[0]
    chosen = st.selectbox(label, list(options), format_func=format_func, key=key, **kwargs)  # type: ignore[arg-type]
    if chosen is not None:
        st.query_params[key] = str(chosen)
    return None if chosen is None else str(chosen)
