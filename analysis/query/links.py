"""The dashboard's links: a view's state as URL query parameters, and back.

`to_query_params(state)` gives the parameters of a link (slugs, ISO dates, numbers; a value
equal to the default is left out); `from_query_params(params, rules)` reads a link, checking
every value against its allow-list: an unknown or malformed value is dropped with a Notice
(plain words, shown by the page) and the field keeps its default. It never raises.
Used by the sidebar (ui/filters.py), the page controls (ui/url_state.py), the presenter,
the briefing's "reopen this view" link and the map's city-profile links.

Repeated keys: a list field (city, district) keeps every allowed value once, in order; a
one-value choice takes the first allowed value; a date or number takes the last (as
Streamlit's `st.query_params.get` does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from kernel.vocabulary import OFFENSE_KEYS

Params = Mapping[str, str | Sequence[str]]
MEASURES = ("rate", "count")
GRANULARITIES = ("month", "week")
SLIDES = (1, 99)


@dataclass(frozen=True)
class LinkState:
    """What a link can say; None (or empty) = not in the link."""

    cities: tuple[str, ...] = ()
    offense: str | None = None
    start: date | None = None
    end: date | None = None
    granularity: str | None = None
    measure: str | None = None
    districts: tuple[str, ...] = ()
    firearm: bool | None = None
    year: int | None = None
    slide: int | None = None


# field -> URL key
KEYS = {
    "cities": "city",
    "offense": "offense",
    "start": "start",
    "end": "end",
    "granularity": "gran",
    "measure": "measure",
    "districts": "district",
    "firearm": "firearm",
    "year": "year",
    "slide": "slide",
}


@dataclass(frozen=True)
class LinkRules:
    """The allow-lists a link is checked against (from the store). A field whose rule is
    None is not read (e.g. districts before one city is chosen)."""

    cities: Sequence[str] | None = None
    span: tuple[date, date] | None = None
    districts: Sequence[str] | None = None
    years: tuple[int, int] | None = None
    offenses: Sequence[str] = field(default=OFFENSE_KEYS)


@dataclass(frozen=True)
class Notice:
    """A message about a link value that was ignored. `values` (from the URL, so untrusted)
    stay apart from the words, so a page can escape them for Markdown: `text(escape)`."""

    message: str  # with {values} where the quoted values go
    values: tuple[str, ...] = ()
    key: str = ""  # the URL key it concerns
    limit: int = 40

    def text(self, escape: Callable[[str], str] = str) -> str:
        shown = ", ".join(escape(repr(v[: self.limit])) for v in self.values[:3])
        return self.message.format(values=shown)


def unknown(what: str, values: Sequence[str], key: str = "") -> Notice:
    return Notice(f"The link asked for unknown {what} {{values}}; it was ignored.", tuple(values), key)


def values_of(params: Params, key: str) -> list[str]:
    """Every value of `key` (a str or a list of them), as strings."""
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def choose(
    raw: Sequence[str], allowed: Sequence[str], what: str, key: str = ""
) -> tuple[list[str], list[Notice]]:
    """The allowed values of `raw` (each once, in order) and a notice naming the others."""
    good = [v for v in dict.fromkeys(raw) if v in allowed]
    bad = [v for v in raw if v not in allowed]
    return good, [unknown(what, bad, key)] if bad else []


def _number(params: Params, key: str, low: int, high: int) -> tuple[int | None, list[Notice]]:
    raw = values_of(params, key)
    if not raw:
        return None, []
    try:
        value = int(raw[-1])
    except ValueError:
        return None, [
            Notice(f"The link's {key} {{values}} is not a number; it was ignored.", (raw[-1],), key, 20)
        ]
    if not low <= value <= high:
        return None, [Notice(f"The link's {key} {value} is out of range; it was ignored.", key=key)]
    return value, []


def _dates(params: Params, span: tuple[date, date]) -> tuple[list[date | None], list[Notice]]:
    chosen: list[date | None] = [None, None]
    notices: list[Notice] = []
    for i, key in enumerate(("start", "end")):
        raw = values_of(params, key)
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw[-1])
        except ValueError:
            notices.append(unknown("date", raw[-1:], key))
            continue
        if not span[0] <= value <= span[1]:
            notices.append(
                Notice(
                    f"The link's {key} date {value} is outside the data ({span[0]} to {span[1]}); it was ignored.",
                    key=key,
                )
            )
            continue
        chosen[i] = value
    if (chosen[0] or span[0]) > (chosen[1] or span[1]):
        notices.append(Notice("The link's start date is after its end date; showing all dates.", key="start"))
        chosen = [None, None]
    return chosen, notices


def _choices(params: Params, rules: LinkRules) -> tuple[dict[str, Any], list[Notice]]:
    """The fields picked from allow-lists: cities, districts, offense, measure, granularity, firearm."""
    out: dict[str, Any] = {}
    notices: list[Notice] = []
    lists = (("cities", rules.cities, "city"), ("districts", rules.districts, "district"))
    for name, allowed, what in lists:
        if allowed is not None:
            good, bad = choose(values_of(params, KEYS[name]), allowed, what, KEYS[name])
            out[name], notices = tuple(good), notices + bad
    ones = (
        ("offense", rules.offenses, "offense"),
        ("measure", MEASURES, "measure"),
        ("granularity", GRANULARITIES, "granularity"),
        ("firearm", ("1", "0"), "firearm setting"),
    )
    for name, allowed, what in ones:
        good, bad = choose(values_of(params, KEYS[name]), allowed, what, KEYS[name])
        notices += bad
        if good:
            out[name] = good[0] == "1" if name == "firearm" else good[0]
    return out, notices


def from_query_params(params: Params, rules: LinkRules) -> tuple[LinkState, list[Notice]]:
    """The state a link asks for, every value checked against `rules`, and the notices of
    what was ignored. Never raises: a hostile value is a notice and a default."""
    found, notices = _choices(params, rules)
    if rules.span is not None:
        (found["start"], found["end"]), more = _dates(params, rules.span)
        notices += more
    if rules.years is not None:
        found["year"], more = _number(params, "year", *rules.years)
        notices += more
    found["slide"], more = _number(params, "slide", *SLIDES)
    notices += more
    return replace(LinkState(), **found), notices


def _param(value: Any) -> str | list[str]:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, bool):
        return "1"
    return str(value)


def to_query_params(state: LinkState, defaults: LinkState | None = None) -> dict[str, str | list[str]]:
    """A link's parameters: every field that is set and differs from `defaults` (firearm
    only when on), lists as repeated keys."""
    base = defaults or LinkState()
    out: dict[str, str | list[str]] = {}
    for f in fields(LinkState):
        value = getattr(state, f.name)
        if value in (None, (), False) or value == getattr(base, f.name):
            continue
        out[KEYS[f.name]] = _param(value)
    return out


def link(page: str, state: LinkState, base_url: str = "") -> str:
    """The address of `page` showing `state` (relative when base_url is empty), e.g.
    `city?city=memphis_tn` or `https://host/trends?city=a&city=b&start=2024-01-01`."""
    prefix = f"{base_url.rstrip('/')}/" if base_url else ""
    params = to_query_params(state)
    return f"{prefix}{page}?{urlencode(params, doseq=True)}" if params else f"{prefix}{page}"
