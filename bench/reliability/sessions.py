"""Browser sessions moving through every page while an import writes the store.

A real `streamlit run dashboard.py` (harness.server) reads a store holding one synthetic
records-system export. N Playwright pages of one Debian chromium (a browser context each,
so N Streamlit sessions) each go through every page of the navigation: open it (the first
page by loading it, the others by clicking the sidebar link: a rerun of that session) and
change its filter (another rerun; see CHANGES). Three phases:

- before: one whole cycle per session with no import running (the baseline);
- during: `python -m ingest import` of a second export of the same size into the same
  store starts once every session finished its baseline; each session keeps cycling until
  the import has ended and it has finished at least one whole cycle begun after the import
  started;
- after: a load and a filter change, then the store is checked (every row of both
  exports, rollups equal to the incidents, nothing left beside the store).

An interaction is timed from the click, key or load until the server has ended a run begun
after it (its `script_finished` message on the session's websocket) and the page shows the
app "not running". Errors: a Streamlit exception box or error alert on the page, a
run that never ends (timeout), a lost connection, and any traceback in the server's log.
Timings split by the import's window: before (ended before it started), during (overlaps
it), after (began after it ended).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.pages import dashboard_pages
from bench.reliability.common import leftovers, pct, registry_store, start_import, synthetic_csv
from harness.browser import IDLE_JS, chromium_missing, launch
from harness.server import Server

SHOTS = Path(tempfile.gettempdir()) / "psp-session-errors"  # a screenshot of each error
VERBOSE = bool(os.environ.get("PSP_BENCH_VERBOSE"))  # print every interaction as it ends
# What the page shows after a run: exception boxes, error alerts, the connection's state.
PROBLEMS = """() => ({
  exceptions: Array.from(document.querySelectorAll('[data-testid="stException"]'))
    .map((e) => e.innerText.slice(0, 300)),
  alerts: Array.from(document.querySelectorAll('[data-testid="stAlertContentError"]'))
    .map((e) => e.innerText.slice(0, 300)),
  connection: document.querySelector('[data-test-connection-state]')
    ?.getAttribute('data-test-connection-state') ?? null,
})"""


@dataclass(frozen=True)
class Change:
    """How a page's filter is changed: `select` picks another option of the select box
    labelled `label` (in the sidebar when `sidebar`), `segment` clicks another button of
    the segmented control labelled `label`, `button` clicks the button whose text starts
    with `label`, `rerun` presses R (Streamlit's rerun key) on a page without a filter."""

    kind: str
    label: str = ""
    sidebar: bool = True


# Every page of dashboard.py: run() refuses to start when one is missing here.
CHANGES = {
    "overview": Change("select", "Offense"),
    "trends": Change("select", "Offense"),
    "map": Change("select", "Offense"),
    "city": Change("select", "Offense"),
    "goals": Change("segment", "Signals in each series", sidebar=False),  # the alerts' look-back
    "interventions": Change("select", "Offense"),  # the interrupted time series' offense
    "data": Change("rerun"),  # coverage and imports: no filter; a rerun reads the store again
    "presenter": Change("button", "Next", sidebar=False),  # the next slide
}


@dataclass
class Step:
    session: int
    page: str
    kind: str  # "load" | "open" (sidebar link) | "change"
    started: float
    ended: float
    error: str | None = None
    phase: str = ""  # the phase of the session's cycle


@dataclass
class Run:
    pages: list[str]
    url: str
    timeout_ms: int
    import_started: float = float("inf")
    write_started: float = float("inf")
    import_ended: float = float("inf")
    shots: Path | None = None  # where a screenshot of each error goes
    steps: list[Step] = field(default_factory=list)
    load: dict[str, float] = field(default_factory=dict)  # the 1-minute load average at moments
    baseline_done: int = 0
    go: asyncio.Event = field(default_factory=asyncio.Event)  # the import has started
    import_done: asyncio.Event = field(default_factory=asyncio.Event)


EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


class Runs:
    """Counts the script runs the server says have ended for one browser page, from the
    app's own websocket messages (a ForwardMsg `script_finished` of any status but "ended
    early for a rerun"). An earlier harness counted changes of the page's script-state
    attribute and missed runs that were drawn on the page (seen in screenshots: the new
    offense's map, a whole Goals page) while the counter never moved."""

    def __init__(self, page: Any) -> None:
        self.finished = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # noqa: BLE001 - not a message of the app's protocol
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != EARLY:
            self.finished += 1


async def _interact(
    page: Any, runs: Runs, action: Callable[[], Awaitable[Any]] | None, timeout_ms: int
) -> str | None:
    """Run `action` (None: the page is loading) and wait until the server has ended a run
    begun after it and the page shows the app idle; an error text or None."""
    before = runs.finished
    deadline = time.perf_counter() + timeout_ms / 1000
    idle = False
    try:
        if action is not None:
            await action()
        while True:
            if runs.finished > before:
                idle = await page.evaluate(IDLE_JS)
                if idle:
                    break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no run ended within {timeout_ms / 1000:.0f} s")
            await asyncio.sleep(0.1)
    except Exception as exc:  # noqa: BLE001 - a run that never ends is a finding
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]} (runs {before} -> {runs.finished}, idle {idle})"
    seen = await page.evaluate(PROBLEMS)
    if seen["exceptions"]:
        return f"exception box: {seen['exceptions'][0]}"
    if seen["alerts"]:
        return f"error alert: {seen['alerts'][0]}"
    if seen["connection"] not in (None, "CONNECTED"):
        return f"connection {seen['connection']}"
    return None


def _change_action(page: Any, change: Change, turn: int, timeout_ms: int) -> Callable[[], Awaitable[Any]]:
    """The user's action that changes the page's filter; `turn` varies the choice."""
    scope = page.locator("[data-testid='stSidebar']") if change.sidebar else page

    async def select() -> None:
        field = (
            scope.locator("[data-testid='stSelectbox']").filter(has_text=change.label).first.locator("input")
        )
        shown = await field.input_value(timeout=timeout_ms)
        for _ in range(3):  # a click the busy page let pass (the box still shows the old value): again
            await field.click(timeout=timeout_ms)
            others = page.locator("[role='option'][aria-selected='false']")
            await others.first.wait_for(timeout=timeout_ms)
            await others.nth(turn % await others.count()).click(timeout=timeout_ms)
            for _ in range(50):
                if await field.input_value(timeout=timeout_ms) != shown:
                    return
                await asyncio.sleep(0.1)
            await page.keyboard.press("Escape")
        raise RuntimeError(f"the select box {change.label!r} kept {shown!r} after 3 choices")

    async def segment() -> None:
        group = scope.locator("[data-testid='stButtonGroup']").filter(has_text=change.label).first
        if not await group.count():  # the control's label sits beside the group
            group = scope.locator("[data-testid='stElementContainer']").filter(has_text=change.label)
            group = group.locator("[data-testid='stButtonGroup']").first
        others = group.locator("button[aria-checked='false']")
        await others.first.wait_for(timeout=timeout_ms)
        await others.nth(turn % await others.count()).click(timeout=timeout_ms)

    async def button() -> None:
        target = scope.locator("[data-testid='stButton'] button").filter(has_text=change.label).first
        await target.click(timeout=timeout_ms)

    async def rerun() -> None:
        await page.keyboard.press("r")  # focus is on the sidebar link just clicked, not in a field

    return {"select": select, "segment": segment, "button": button, "rerun": rerun}[change.kind]


async def _cycle(page: Any, runs: Runs, n: int, run: Run, phase: str, turn: int, pages: list[str]) -> None:
    """Open each of `pages` in turn (the first by loading it) and change its filter."""
    for i, path in enumerate(pages):
        for kind in ("load" if i == 0 else "open", "change"):
            started = time.perf_counter()
            if kind == "load":  # a new document: its run counter starts at 0
                try:
                    await page.goto(f"{run.url}/{path}", wait_until="commit", timeout=run.timeout_ms)
                    error = await _interact(page, runs, None, run.timeout_ms)
                except Exception as exc:  # noqa: BLE001 - a page that does not load is a finding
                    error = f"load: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            elif kind == "open":
                link = page.locator(f"[data-testid='stSidebarNavLink'][href$='/{path}']")
                error = await _interact(
                    page, runs, partial(link.click, timeout=run.timeout_ms), run.timeout_ms
                )
            else:
                action = _change_action(page, CHANGES[path], turn + n, run.timeout_ms)
                error = await _interact(page, runs, action, run.timeout_ms)
            step = Step(n, path, kind, started, time.perf_counter(), error, phase)
            run.steps.append(step)
            if error and run.shots is not None:
                run.shots.mkdir(exist_ok=True)
                shot = run.shots / f"{len(run.steps)}-session{n}-{phase}-{path}-{kind}.png"
                with contextlib.suppress(Exception):
                    await page.screenshot(path=str(shot), timeout=60_000)
            if VERBOSE:
                took = step.ended - step.started
                print(f"  session {n} {phase} {path} {kind} {took:.2f} s {error or ''}", flush=True)


async def _session(n: int, browser: Any, run: Run) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    runs = Runs(page)
    try:
        await _cycle(page, runs, n, run, "before", 0, run.pages)
        run.baseline_done += 1
        await run.go.wait()
        turn = 1
        while True:  # whole cycles until one began after the start and the import has ended
            await _cycle(page, runs, n, run, "during", turn, run.pages)
            turn += 1
            if run.import_done.is_set():
                break
        await _cycle(page, runs, n, run, "after", turn, run.pages[:1])
    except Exception as exc:  # noqa: BLE001 - a session that dies is a finding, not a crash of the bench
        run.steps.append(Step(n, "-", "session", time.perf_counter(), time.perf_counter(), repr(exc)[:300]))
    finally:
        await context.close()


async def _drive(run: Run, sessions: int, store: Path, csv: Path) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await launch(pw.chromium)
        tasks = []
        for n in range(sessions):
            tasks.append(asyncio.create_task(_session(n, browser, run)))
            await asyncio.sleep(0.1)
        while run.baseline_done < sessions and not all(t.done() for t in tasks):
            await asyncio.sleep(0.1)
        run.load["baseline_done"] = os.getloadavg()[0]
        run.import_started = time.perf_counter()
        proc = start_import(store, csv)
        run.go.set()
        while proc.poll() is None:
            if run.write_started == float("inf") and any(x.endswith(".tmp") for x in leftovers(store)):
                run.write_started = time.perf_counter()
            await asyncio.sleep(0.02)
        run.import_ended = time.perf_counter()
        run.load["import_ended"] = os.getloadavg()[0]
        run.import_done.set()
        _, err = proc.communicate()
        await asyncio.gather(*tasks)
        run.load["end"] = os.getloadavg()[0]
        await browser.close()
    return {"import_rc": proc.returncode, "import_err": err[-800:] if proc.returncode else ""}


def store_check(store: Path, rows: int) -> dict[str, Any]:
    """Is the store whole after both imports: every row of each export once, the rollups
    equal to the incidents, both imports logged as finished, nothing left beside it."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        got = con.execute(
            """
            select count(*), count(distinct source_id),
                   count(*) filter (where source_id like 'SP-%'), count(*) filter (where source_id like 'SQ-%'),
                   (select sum(n) from daily_counts),
                   (select count(*) from imports where finished_at is not null and rows_accepted = $rows)
            from incidents
            """,
            {"rows": rows},
        ).fetchone()
    finally:
        con.close()
    assert got is not None
    found = dict(
        zip(("incidents", "distinct_ids", "first", "second", "daily_sum", "imports_done"), got, strict=True)
    )
    found["left_beside"] = leftovers(store)
    found["ok"] = (
        found["incidents"] == found["distinct_ids"] == found["daily_sum"] == 2 * rows
        and found["first"] == found["second"] == rows
        and found["imports_done"] == 2
        and not found["left_beside"]
    )
    return found


def _phases(run: Run) -> dict[str, dict[str, Any]]:
    def chosen(which: str) -> list[Step]:
        if which == "before":
            return [s for s in run.steps if s.ended <= run.import_started]
        if which == "during":
            return [s for s in run.steps if s.started < run.import_ended and s.ended > run.import_started]
        if which == "during the write":
            return [s for s in run.steps if s.started < run.import_ended and s.ended > run.write_started]
        return [s for s in run.steps if s.started >= run.import_ended]

    out: dict[str, dict[str, Any]] = {}
    for which in ("before", "during", "during the write", "after"):
        t = [s.ended - s.started for s in chosen(which) if s.error is None and s.kind != "session"]
        out[which] = {"n": len(t), "p50_s": round(pct(t, 0.5), 2), "p95_s": round(pct(t, 0.95), 2)}
        # the medians of each page's own interactions (open and change)
        out[which]["page_p50_s"] = {
            page: round(
                pct([s.ended - s.started for s in chosen(which) if s.page == page and not s.error], 0.5), 2
            )
            for page in run.pages
        }
    return out


def run(workdir: Path, rows: int, sessions: int, timeout_s: float = 300) -> dict[str, Any]:
    if reason := chromium_missing():
        raise RuntimeError(reason)
    pages = [p["url_path"] for p in dashboard_pages()]
    missing = [p for p in pages if p not in CHANGES]
    if missing:
        raise RuntimeError(f"no filter change defined for page(s) {missing}: add them to CHANGES")
    pages.sort(
        key=lambda p: (p != "overview", p == "presenter")
    )  # Overview first; presenter (no sidebar) last
    workdir.mkdir(parents=True, exist_ok=True)
    first = synthetic_csv(workdir / "first.csv", rows, prefix="SP-")
    second = synthetic_csv(workdir / "second.csv", rows, prefix="SQ-")
    store = registry_store(workdir / "psp.duckdb")
    load = {"start": os.getloadavg()[0]}
    started = time.perf_counter()
    loaded = start_import(store, first)
    _, err = loaded.communicate()
    alone_s = time.perf_counter() - started
    if loaded.returncode != 0:
        raise RuntimeError(f"the first import failed: {err[-2000:]}")
    (workdir / "datasets").mkdir(exist_ok=True)
    env = {"PSP_AUDIT_DB": str(workdir / "audit.duckdb"), "PSP_DATASETS": str(workdir / "datasets")}
    server = Server(store, env, log=workdir / "server.log", timeout=300)
    try:
        state = Run(pages, server.url, int(timeout_s * 1000), shots=SHOTS)
        outcome = asyncio.run(_drive(state, sessions, store, second))
        alive = server.alive()
    finally:
        server.stop()
    server_log = server.output()
    tracebacks = server_log.count("Traceback")
    errors = [s for s in state.steps if s.error]
    done = {s.session for s in state.steps if s.phase == "after" and s.kind == "change"}
    return {
        "rows": rows,
        "sessions": sessions,
        "pages": pages,
        "interactions": sum(s.kind != "session" for s in state.steps),
        "sessions_completed": len(done),
        "import_alone_s": round(alone_s, 1),
        "import_s": round(state.import_ended - state.import_started, 1),
        "write_s": round(state.import_ended - state.write_started, 1),
        "import_rc": outcome["import_rc"],
        "import_err": outcome["import_err"],
        "store": store_check(store, rows) if outcome["import_rc"] == 0 else {"ok": False},
        "server_alive": alive,
        "server_tracebacks": tracebacks,
        "server_log_tail": server_log[-3000:] if tracebacks else "",
        "error_screenshots": str(SHOTS) if errors else "",
        "errors": [f"session {s.session} {s.page} ({s.kind}, {s.phase}): {s.error}" for s in errors],
        "load_average_1min": {**load, **state.load},
        "exceptions": len(errors) + tracebacks + (0 if alive else 1),
        "phases": _phases(state),
        # (session, page) of every interaction in a cycle begun after the import started
        "during_pages": sorted({(s.session, s.page) for s in state.steps if s.phase == "during"}),
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"concurrency: {result['sessions']} browser sessions x {len(result['pages'])} pages (open + change a"
        f" filter), an import of {result['rows']:,} rows into the store they read: {result['import_s']} s"
        f" ({result['write_s']} s of it writing; alone {result['import_alone_s']} s), exit {result['import_rc']}",
        f"  {result['interactions']:,} interactions; {result['sessions_completed']} sessions completed every"
        f" phase; exceptions {result['exceptions']} (page errors {len(result['errors'])}, server tracebacks"
        f" {result['server_tracebacks']}, server alive {result['server_alive']}); store consistent"
        f" {result['store'].get('ok')}",
    ]
    for which, p in result["phases"].items():
        lines.append(f"  {which:<17} n={p['n']:>4}  p50 {p['p50_s']:>6.2f} s  p95 {p['p95_s']:>6.2f} s")
    lines += [f"  ERROR {e}" for e in result["errors"][:20]]
    if result["import_err"]:
        lines.append("  import: " + result["import_err"])
    if result["server_log_tail"]:
        lines.append("  server log: " + result["server_log_tail"])
    return "\n".join(lines)
