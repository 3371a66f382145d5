"""Hostile query strings (hypothesis) against the URL layer and every page.

Two parts, on a small demo store:
- the URL layer: every generated query string runs through an app made of the functions
  that read the URL (ui.filters.sidebar with every control, for many cities and for one;
  ui.url_state.url_selectbox as the Goals, Interventions, Overview and Trends pages use
  it; ui.presenter.presenter_setup). Each run must raise nothing, and every key holding
  a value outside its allow-list must get its notice ("The link asked for unknown ...");
- every page: a sample of the same strings, spread over every page of dashboard.py,
  through AppTest as a visitor opening that link: no exception, and a notice whenever
  the link had a value the page reads and rejects (a hostile `city` on every page that
  reads cities).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from analysis.query.filters import OFFENSE_KEYS
from bench.pages import dashboard_pages
from kernel.settings import ROOT

HOSTILE = [
    "",
    " ",
    "\x00",
    "memphis_tn\x00",
    "MEMPHIS_TN",
    " memphis_tn",
    "' or 1=1 --",
    "memphis_tn'; drop table incidents; --",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    ":red[alarm] :material/warning:",
    "../../../../etc/passwd",
    "%00%ff%fe",
    "\u202eevil",
    "😀" * 50,
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "nan",
    "inf",
    "0x10",
    "１",  # a full-width digit: int() accepts it
    "2024-02-30",
    "0000-01-01",
    "9999-12-31",
    "2024-01-01T00:00:00",
    "2024-13-01",
    "1900-01-01",
    "A" * 100_000,
]
VALID = [
    "memphis_tn",
    "houston_tx",
    "murder",
    "violent_crime",
    "count",
    "rate",
    "month",
    "week",
    "1",
    "0",
    "2024-01-01",
]
KEYS = [
    "city", "offense", "start", "end", "gran", "measure", "district", "firearm", "goal", "its_city",
    "its_offense", "its_intervention", "base", "season", "slide", "year",
]  # fmt: skip
# key -> (the notice's words, allowed values or None when the allow-list depends on the store)
CHECKED: dict[str, tuple[str, list[str] | None]] = {
    "offense": ("unknown offense", list(OFFENSE_KEYS)),
    "measure": ("unknown measure", ["rate", "count"]),
    "gran": ("unknown granularity", ["month", "week"]),
    "firearm": ("unknown firearm setting", ["1", "0"]),
    "city": ("unknown city", None),
}

# Pages whose links carry cities (every generated link holds a rejected city value).
READS_CITY = {"views/overview.py", "views/trends.py", "views/map.py", "views/city.py", "views/presenter.py"}

value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(VALID),
)
query = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)),
    st.lists(value, min_size=1, max_size=3),
    min_size=1,
    max_size=8,
)


def generate(n: int, seed_value: int = 14) -> list[dict[str, list[str]]]:
    """n hostile query strings; each holds at least one rejected city value."""
    found: list[dict[str, list[str]]] = []

    @seed(seed_value)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(q=query, bad_city=st.sampled_from(HOSTILE))
    def collect(q: dict[str, list[str]], bad_city: str) -> None:
        q = {k: list(v) for k, v in q.items()}
        q.setdefault("city", []).append(bad_city)
        found.append(q)

    collect()
    rng = random.Random(seed_value)
    while len(found) < n:  # hypothesis may stop early once it has seen enough
        found.append({"city": [rng.choice(HOSTILE)], rng.choice(KEYS): [rng.choice(HOSTILE)]})
    return found[:n]


def url_layer_app(single_city: bool) -> None:
    """The app of the URL layer (run by AppTest.from_function; imports inside on purpose)."""
    from ui.filters import ALL_CONTROLS, sidebar
    from ui.url_state import url_selectbox

    sidebar(ALL_CONTROLS, single_city=single_city)
    if not single_city:
        from ui.presenter import presenter_setup

        for key, options in (
            ("goal", ["1", "2"]),
            ("its_city", ["memphis_tn", "houston_tx"]),
            ("its_offense", ["violent_crime", "murder"]),
            ("its_intervention", ["1"]),
            ("base", ["2019", "2023"]),
            ("season", ["all", "one"]),
        ):
            url_selectbox(key.title(), options, key=key, what=key)
        presenter_setup()


@contextmanager
def _store_env(store: Path) -> Iterator[None]:
    old = os.environ.get("PSP_DB")
    os.environ["PSP_DB"] = str(store)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PSP_DB", None)
        else:
            os.environ["PSP_DB"] = old


def _rejected(q: dict[str, list[str]], cities: set[str]) -> dict[str, str]:
    """The notice each checked key of `q` must get."""
    need = {}
    for key, (words, allowed) in CHECKED.items():
        ok = cities if allowed is None else set(allowed)
        if key in q and any(v not in ok for v in q[key]):
            need[key] = words
    return need


_SHARED: dict[str, Any] = {}


def _apptest(script: Any, q: dict[str, list[str]], page: str | None = None) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120) if page else script
    # Each AppTest scans every installed package for v2 component manifests (~1-2 s here):
    # share the first one's result. A fresh AppTest is still a fresh session.
    if "bidi" in _SHARED:
        at._bidi_component_manager = _SHARED["bidi"]  # noqa: SLF001
    for k, v in q.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    at.run()
    _SHARED.setdefault("bidi", getattr(at, "_bidi_component_manager", None))
    return at


def _texts(at: Any) -> list[str]:
    return [str(w.value) for w in at.warning] + [str(e.value) for e in at.error]


def run(store: Path, cases: int, page_sample: int, seed_value: int = 14) -> dict[str, Any]:
    """`cases` query strings through the URL layer (both sidebars), `page_sample` of them
    through the pages of dashboard.py (spread evenly over every page)."""
    import duckdb
    from streamlit.testing.v1 import AppTest

    con = duckdb.connect(str(store), read_only=True)
    cities = {r[0] for r in con.execute("select city_id from cities").fetchall()}
    con.close()
    queries = generate(cases, seed_value)
    defects: list[dict[str, Any]] = []
    notices = 0
    started = time.perf_counter()
    with _store_env(store):
        for q in queries:
            for single in (False, True):
                at = AppTest.from_function(url_layer_app, args=(single,), default_timeout=120)
                at = _apptest(at, q)
                texts = _texts(at)
                if at.exception:
                    defects.append(
                        {
                            "where": f"url layer (single city {single})",
                            "query": q,
                            "problem": at.exception[0].value[:300],
                        }
                    )
                    continue
                missing = [
                    k for k, words in _rejected(q, cities).items() if not any(words in t for t in texts)
                ]
                if missing:
                    defects.append(
                        {
                            "where": f"url layer (single city {single})",
                            "query": q,
                            "problem": f"no notice for {missing}: {texts[:3]}",
                        }
                    )
                notices += any("link" in t for t in texts)
        layer_s = time.perf_counter() - started
        pages = [p["file"] for p in dashboard_pages()]
        per_page: Counter[str] = Counter()
        page_notices: Counter[str] = Counter()
        started = time.perf_counter()
        for i, q in enumerate(queries[:page_sample]):
            page = pages[i % len(pages)]
            try:
                at = _apptest(None, q, page)
            except Exception as exc:  # noqa: BLE001 - a run that does not finish is a finding
                defects.append(
                    {"where": page, "query": q, "problem": f"{type(exc).__name__}: {str(exc)[:300]}"}
                )
                continue
            per_page[page] += 1
            if at.exception:
                defects.append({"where": page, "query": q, "problem": at.exception[0].value[:300]})
            noticed = any("unknown city" in t for t in _texts(at))
            page_notices[page] += noticed
            if page in READS_CITY and not noticed:
                defects.append(
                    {"where": page, "query": q, "problem": f"no notice for the city: {_texts(at)[:3]}"}
                )
        pages_s = time.perf_counter() - started
    return {
        "cases": len(queries),
        "layer_runs": 2 * len(queries),
        "layer_s": round(layer_s, 1),
        "layer_notices": notices,
        "page_runs": dict(per_page),
        "page_notices": dict(page_notices),
        "pages_s": round(pages_s, 1),
        "defects": defects,
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"hostile query strings: {result['cases']:,} through the URL layer ({result['layer_runs']:,} runs,"
        f" {result['layer_s']} s; a notice in {result['layer_notices']:,} runs)",
        f"  and {sum(result['page_runs'].values()):,} through the pages ({result['pages_s']} s):",
    ]
    lines += [
        f"    {page:<24} {n:>4} links, {result['page_notices'].get(page, 0):>4} with the city notice"
        for page, n in result["page_runs"].items()
    ]
    lines += [
        f"  DEFECT {d['where']}: {d['problem'][:200]} for {str(d['query'])[:200]}"
        for d in result["defects"][:20]
    ]
    lines.append(f"  => {len(result['defects'])} defects (exceptions, missing notices)")
    return "\n".join(lines)
