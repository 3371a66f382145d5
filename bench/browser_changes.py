"""What a filter change costs as the user feels it: real chromium, a real Streamlit server.

For each page (Overview, Trends, Map, City profile, Goals) the page is opened once, then
its main control is changed N times the way a user changes it (the select box is opened,
the choice typed, Enter pressed): the sidebar Offense on the four filter pages, the goal
picker on Goals. One change is timed *inside the page* (performance.now(), no
browser-to-Python round trip in the figure):

- start: the Enter keydown that picks the new value;
- end: the later of (a) the moment Streamlit's script state (the `data-test-script-state`
  attribute of the app root) went back to `notRunning` after having run, and (b) the
  last DOM mutation anywhere in the page (Plotly redraws its SVG, stale elements are
  replaced, tables and text rewritten), once the page has been quiet for QUIET_MS.
- redrawn: the change counts as done only once every Plotly chart that depends on the
  control holds a new data array (Plotly.react replaced it); `updated` reports how many
  did, against how many are on the page. A deck.gl map draws into a canvas: its redraw is
  not a DOM mutation, so on the Map the end is the script state and the last DOM change
  around the map (legend, table, captions).

The floor is bench/floor_app.py, one select box and one chart, driven the same way in
the same run by the same browser: `ratio` = page median / floor median. The first
`fresh` changes of a page pick values the server has not computed yet (a cache miss for
the page's own queries); the rest go back to values already seen (cache hits), so both
cases are in the sample, and `fresh_p50_s` reports the misses alone.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.run import pct
from harness.browser import launch
from harness.server import Server
from kernel.settings import ROOT
from kernel.vocabulary import OFFENSE_KEYS, OFFENSE_LABELS

QUIET_MS = 400  # the page counts as settled after this long without a DOM mutation
CHANGE_TIMEOUT_MS = 60_000
FLOOR_APP = ROOT / "bench" / "floor_app.py"

# Before the app's scripts: time stamps of the websocket's traffic (the rerun request the
# browser sends, the last message the server sends back).
_WEBSOCKET = """
(() => {
  const Native = window.WebSocket;
  const ws = (window.__ws = {sent: 0, received: 0});
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { ws.received = performance.now(); });
    }
    send(data) { ws.sent = performance.now(); return super.send(data); }
  };
})();
"""
# Installed once per page load: records script-state flips, the last DOM mutation and the
# Enter keydown that starts a change.
_INSTALL = """
() => {
  const b = (window.__bench = {t0: null, ran: false, idle: null, last: 0, before: []});
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver((records) => {
    const now = performance.now();
    for (const r of records) {
      if (r.target === app && r.attributeName === 'data-test-script-state') {
        const state = app.getAttribute('data-test-script-state');
        if (r.oldValue === 'running' || state === 'running') b.ran = b.t0 !== null;
        if (state === 'notRunning' && b.ran) b.idle = now;
      }
    }
    // react-aria's screen-reader announcer clears its text 7 s later: not a redraw.
    const drawn = records.some((r) => {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      return !(el && el.closest('[data-live-announcer]'));
    });
    if (b.t0 !== null && drawn) b.last = now;
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                              characterData: true, attributeOldValue: true});
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && b.t0 === null && b.armed) b.t0 = performance.now();
  }, true);
}
"""
_ARM = """
() => {
  const b = window.__bench;
  b.before = Array.from(document.querySelectorAll('.js-plotly-plot')).map((d) => d.data);
  Object.assign(b, {t0: null, ran: false, idle: null, last: 0, armed: true});
}
"""
# Settled: the script ran and is idle again, and nothing changed for QUIET_MS.
_SETTLED = """
({quiet, need}) => {
  const b = window.__bench;
  const app = document.querySelector('[data-testid="stApp"]');
  const ws = window.__ws;
  // every chart that depends on the control holds new data (Plotly.react replaced it)
  const divs = Array.from(document.querySelectorAll('.js-plotly-plot'));
  if (divs.filter((d, i) => i >= b.before.length || d.data !== b.before[i]).length < need) return false;
  // the rerun was asked for after the change, and the server has answered it
  if (b.t0 === null || ws.sent < b.t0 || ws.received < ws.sent) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  return performance.now() - Math.max(ws.received, b.last) >= quiet;
}
"""
_RESULT = """
() => {
  const b = window.__bench;
  const divs = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const updated = divs.filter((d, i) => i >= b.before.length || d.data !== b.before[i]).length;
  b.armed = false;
  const ws = window.__ws;
  return {seconds: (Math.max(ws.received, b.last) - b.t0) / 1000, state_flip: b.ran, charts: divs.length, updated: updated,
          errors: document.querySelectorAll('[data-testid="stException"]').length,
          to_last_message_s: (ws.received - b.t0) / 1000,
          drawing_after_s: Math.max(0, b.last - ws.received) / 1000};
}
"""
# Idle after a page load: the app root says notRunning and the page has been quiet.
_LOADED = """
(quiet) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const b = window.__bench;
  if (!b) return false;
  const now = performance.now();
  if (b.seen === undefined || b.count !== document.getElementsByTagName('*').length) {
    b.count = document.getElementsByTagName('*').length; b.seen = now; return false;
  }
  return now - b.seen >= quiet;
}
"""


@dataclass(frozen=True)
class Target:
    """One page to drive: where it is, the control to change and the values to type."""

    name: str
    path: str  # URL path below the server root ("" = the default page)
    control: str  # the select box's label
    in_sidebar: bool
    ready: str  # CSS selector present once the page has drawn
    redrawn: int  # Plotly charts that depend on the control: all must show new data


def offense_values(n: int) -> tuple[list[str], int]:
    """The typed labels of n Offense changes from the default (violent crime): every other
    offense once (server cache misses), then back through the list (hits)."""
    others = [OFFENSE_LABELS[o] for o in OFFENSE_KEYS if o != "violent_crime"]
    cycle = [*others, OFFENSE_LABELS["violent_crime"]]
    return [cycle[i % len(cycle)] for i in range(n)], len(others)


PLOTLY = "[data-testid='stPlotlyChart'] .main-svg"
FLOOR = Target("Floor", "", "Offense", True, PLOTLY, 1)
TARGETS = (
    Target("Overview", "", "Offense", True, PLOTLY, 2),
    Target("Trends", "trends", "Offense", True, PLOTLY, 4),
    Target("Map", "map", "Offense", True, "[data-testid='stDeckGlJsonChart']", 0),
    # the offense mix lists every offense whatever the choice: only the hour x weekday map changes
    Target("City profile", "city", "Offense", True, PLOTLY, 1),
    Target("Goals", "goals", "Goal", False, PLOTLY, 1),
)


def _goal_values(page: Any, store: Path, n: int) -> list[str]:
    """'#ID ' prefixes (what the goal picker's labels start with) of the store's goals
    other than the one shown."""
    from analysis.goals.progress import stored_goals
    from kernel.store import connect_readonly

    con = connect_readonly(store)
    try:
        ids = [g.goal_id for g in stored_goals(con)]
    finally:
        con.close()
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Goal").first
    shown = box.locator("input").input_value()
    others = [i for i in ids if f"#{i} " not in shown]
    return [f"#{others[i % len(others)]} " for i in range(n)]


def _change(page: Any, target: Target, value: str, tries: int = 3) -> dict[str, Any]:
    """Choose `value` in the target's select box and time it until the page settled. A
    choice the select box did not take (it still shows the old value and no run started:
    keys typed before its list opened) is made again, timed afresh, up to `tries` times."""
    scope = page.locator("[data-testid='stSidebar']") if target.in_sidebar else page
    box = scope.locator("[data-testid='stSelectbox']").filter(has_text=target.control).first
    for attempt in range(1, tries + 1):
        before = box.locator("input").input_value()
        page.evaluate(_ARM)
        box.locator("input").click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.type(value)
        # Enter picks the highlighted option: wait until the typed text has narrowed the
        # list to it (an Enter pressed before the list redrew picked nothing).
        try:
            page.get_by_role("option").filter(has_text=value.strip()).first.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - the retry below deals with a choice not taken
            pass
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(
                _SETTLED,
                arg={"quiet": QUIET_MS, "need": target.redrawn},
                timeout=CHANGE_TIMEOUT_MS,
                polling=50,
            )
            break
        except Exception as exc:  # noqa: BLE001 - say what the page was doing
            state = page.evaluate(
                "() => ({...window.__bench, before: undefined, now: performance.now(), state: "
                "document.querySelector('[data-testid=\\'stApp\\']').getAttribute('data-test-script-state')})"
            )
            shown = box.locator("input").input_value()
            if attempt < tries and shown == before and not state.get("ran"):
                page.keyboard.press("Escape")
                continue
            page.screenshot(path="/tmp/psp-bench-unsettled.png")
            raise RuntimeError(
                f"{target.name}: no settled page after choosing {value!r} (shows {shown!r}): {state}"
            ) from exc
    result: dict[str, Any] = page.evaluate(_RESULT)
    result["value"] = value.strip()
    result["shown"] = box.locator("input").input_value()
    result["tries"] = attempt
    return result


def drive_page(browser: Any, url: str, target: Target, changes: int, store: Path) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(_WEBSOCKET)
    try:
        page.goto(f"{url}/{target.path}", wait_until="domcontentloaded")
        page.wait_for_selector(target.ready, timeout=120_000)
        page.evaluate(_INSTALL)
        page.wait_for_function(_LOADED, arg=QUIET_MS, timeout=120_000, polling=100)
        if target.control == "Goal":
            values, fresh = _goal_values(page, store, changes), changes
        else:
            values, fresh = offense_values(changes)
        runs = [_change(page, target, v) for v in values]
    finally:
        page.close()
    return summarise(runs, fresh)


def summarise(runs: list[dict[str, Any]], fresh: int) -> dict[str, Any]:
    seconds = [r["seconds"] for r in runs]
    return {
        "changes": len(runs),
        "p50_s": statistics.median(seconds),
        "p95_s": pct(seconds, 0.95) / 1000,
        "max_s": max(seconds),
        "fresh_changes": min(fresh, len(runs)),
        "fresh_p50_s": statistics.median(seconds[:fresh]) if fresh else None,
        # Enter to the last websocket message the page took in (the script's run, and the
        # browser's drawing while messages arrive), and the drawing after it: where a
        # change's time goes.
        "to_last_message_p50_s": statistics.median(r["to_last_message_s"] for r in runs),
        "drawing_after_p50_s": statistics.median(r["drawing_after_s"] for r in runs),
        "charts": max(r["charts"] for r in runs),
        "charts_updated_min": min(r["updated"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }


def measure(store: Path, changes: int = 12, targets: tuple[Target, ...] = TARGETS) -> dict[str, Any]:
    """Drive the floor app and every target page in one browser; medians, p95 and ratios."""
    from playwright.sync_api import sync_playwright

    floor_server, app_server = Server(store, script=FLOOR_APP), Server(store)
    floor_url, app_url = floor_server.url, app_server.url
    started = time.perf_counter()
    try:
        with sync_playwright() as pw:
            browser = launch(pw.chromium)
            floor = drive_page(browser, floor_url, FLOOR, changes, store)
            pages = {t.name: drive_page(browser, app_url, t, changes, store) for t in targets}
            # The floor again at the end: the machine's load moves during a run; the floor
            # used for the ratios is the median of both passes' changes.
            again = drive_page(browser, floor_url, FLOOR, changes, store)
            browser.close()
    finally:
        for server in (floor_server, app_server):
            server.stop()
    both = [r["seconds"] for r in floor["runs"] + again["runs"]]
    floor_p50 = statistics.median(both)
    for page in pages.values():
        page["ratio"] = page["p50_s"] / floor_p50
        page["p95_ratio"] = page["p95_s"] / floor_p50
    return {
        "quiet_ms": QUIET_MS,
        "floor_p50_s": floor_p50,
        "floor_p95_s": pct(both, 0.95) / 1000,
        "floor": {"first": floor, "last": again},
        "pages": pages,
        "elapsed_s": time.perf_counter() - started,
    }


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--changes", type=int, default=12)
    parser.add_argument("--pages", help="comma-separated page names (default: all five)")
    args = parser.parse_args()
    chosen: tuple[Target, ...] = TARGETS
    if args.pages:
        names = {n.strip() for n in args.pages.split(",")}
        chosen = tuple(t for t in TARGETS if t.name in names)
    out = measure(args.db, args.changes, chosen)
    for page in [out["floor"]["first"], out["floor"]["last"], *out["pages"].values()]:
        page.pop("runs", None)
    print(json.dumps(out, indent=1))
