"""The URL side of the pages: reading a link once per session, writing the state back, and
the one select box (or radio) whose value lives in the URL.

The codec (what a link says and how it is checked) is analysis/query/links.py; this module
only moves its parameters in and out of `st.query_params` and shows its notices. URL values
are raw options (slugs, ids), not labels, so links stay stable when labels change. On a
session's first run a value from the URL is checked against the options; an unknown value
gets a visible notice (the value shown as plain text, never as Markdown) and the default.
After that the widget drives and the URL follows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import streamlit as st

from analysis.query.links import LinkRules, LinkState, Notice, choose, from_query_params

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(text: str) -> str:
    """`text` as literal characters in Markdown: no link, emphasis, HTML or maths."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def show_notices(notices: Sequence[Notice]) -> None:
    """One warning per notice, its link values escaped (a value like `[x](http://evil)`
    shows as typed, not as a link)."""
    for notice in notices:
        st.warning(notice.text(escape_markdown), icon="🔗")


def url_params() -> dict[str, list[str]]:
    """The page's query parameters, every key with all its values."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def read_link(rules: LinkRules, keys: Collection[str]) -> LinkState:
    """The state the page's link asks for, checked by `rules`; the notices of the URL keys
    in `keys` are shown (the fields this run seeds)."""
    state, notices = from_query_params(url_params(), rules)
    show_notices([n for n in notices if n.key in keys])
    return state


def write_url(keys: Sequence[str], params: Mapping[str, str | list[str]]) -> None:
    """Make the URL's `keys` say `params`: set those present, remove the others."""
    for key in keys:
        if key in params:
            st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]


def url_choice(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: str | None = None,
    format_func: Callable[[Any], Any] = str,
    what: str | None = None,
    **kwargs: Any,
) -> Any:
    """A page's own one-of-a-list control (`st.selectbox`, `st.radio`, `column.selectbox`)
    whose value lives in the URL under `key` as the option itself. An unknown value from a
    link gets a notice ("unknown <what>") and the default. With a `default`, choosing it
    removes the key from the URL; without one the first option is the default and the
    choice always stays in the URL (the options come from the data and may change, so the
    link names its choice). None when there are no options."""
    if not options:
        return None
    first = options[0] if default is None else default
    if key not in st.session_state:
        good, notices = choose(st.query_params.get_all(key), options, what or label.lower())
        show_notices(notices)
        st.session_state[key] = good[0] if good else first
    if st.session_state.get(key) not in options:  # options can change with the data
        st.session_state[key] = first
    value = widget(label, list(options), format_func=format_func, key=key, **kwargs)
    write_url([key], {} if value is None or value == default else {key: str(value)})
    return value


def url_selectbox(label: str, options: Sequence[str], key: str, **kwargs: Any) -> str:
    """A select box kept in the URL under `key` (url_choice: default, format_func, what and
    the widget's own arguments); the chosen option ("" when there is none to choose)."""
    value = url_choice(st.selectbox, label, options, key=key, **kwargs)
    return "" if value is None else str(value)


def url_radio(
    label: str,
    labels: Mapping[str, str],
    *,
    key: str,
    default: str,
    what: str,
    where: Any = st,
    **kwargs: Any,
) -> str:
    """A horizontal radio of `labels` (option -> label) kept in the URL under `key` (url_choice),
    drawn in `where` (a column, or the page)."""
    return str(
        url_choice(
            where.radio,
            label,
            list(labels),
            key=key,
            default=default,
            format_func=labels.get,
            what=what,
            horizontal=True,
            **kwargs,
        )
    )
