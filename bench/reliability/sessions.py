"""Browser sessions moving through every page while an import writes the store.

A real `streamlit run dashboard.py` reads a store; N Playwright pages (Debian chromium,
one browser, a context each: N Streamlit sessions) each move through every page of the
navigation by clicking its sidebar link (a rerun of that session; the presenter view has
no sidebar, so the next cycle starts with a fresh load of the Overview). Three phases:
one cycle before the import; cycles while `python -m ingest import` of a big CSV runs
into the same store (each session completes at least one whole cycle begun after the
import started); after it, a load and a click. Timings are checked to 0.25 s. An interaction is timed from the click (or the
load) until the app's script state is back to "not running" after a run. Counted as
errors: a Streamlit exception box on the page, a run that never ends, a lost connection,
and any traceback in the server's log.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pages import dashboard_pages
from bench.reliability.common import leftovers, pct, registry_store, run_import, start_import, synthetic_csv
from kernel.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
VERBOSE = bool(os.environ.get("PSP_BENCH_VERBOSE"))  # print every interaction as it ends
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# Counts finished script runs of the document (the app root carries data-test-script-state).
OBSERVER = """
window.__psp = {done: 0};
new MutationObserver((records) => {
  for (const r of records) {
    const now = r.target.getAttribute('data-test-script-state');
    if (now === 'notRunning' && r.oldValue !== 'notRunning') window.__psp.done += 1;
  }
}).observe(document, {attributes: true, subtree: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""
IDLE = """(before) => window.__psp && window.__psp.done > before
  && document.querySelector('[data-test-script-state]')?.getAttribute('data-test-script-state') === 'notRunning'"""


@dataclass
class Step:
    session: int
    page: str
    kind: str  # "click" | "load"
    started: float
    ended: float
    error: str | None = None
    phase: str = ""  # the phase the session's cycle belongs to


@dataclass
class Clock:
    import_started: float = float("inf")
    write_started: float = float("inf")
    import_ended: float = float("inf")
    steps: list[Step] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    out = log.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],  # fmt: skip
        cwd=ROOT,
        env=dict(os.environ, PSP_DB=str(store)),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")


async def _interact(page: Any, action: Any, timeout_ms: int) -> str | None:
    """Run `action` and wait for the app to finish its run; an error text or None."""
    before = 0 if action is None else await page.evaluate("window.__psp ? window.__psp.done : 0")
    try:
        if action is not None:
            await action()
        await page.wait_for_function(IDLE, arg=before, timeout=timeout_ms, polling=250)
    except Exception as exc:  # noqa: BLE001 - a run that never ends is a finding
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    if await page.locator("[data-testid='stException']").count():
        text = await page.locator("[data-testid='stException']").first.inner_text()
        return f"exception box: {text[:300]}"
    state = await page.evaluate(
        "document.querySelector('[data-test-connection-state]')?.getAttribute('data-test-connection-state')"
    )
    if state not in (None, "CONNECTED"):
        return f"connection {state}"
    return None


async def _session(
    n: int,
    browser: Any,
    url: str,
    pages: list[dict[str, Any]],
    clock: Clock,
    phase: dict[str, str],
    cycles: dict[int, dict[str, int]],
    timeout_ms: int,
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(OBSERVER)
    page = await context.new_page()
    mine = cycles.setdefault(n, {"before": 0, "during": 0, "after": 0})
    try:
        while (now := phase["now"]) != "stop":
            # One cycle before, cycles for as long as the import runs (at least one whole
            # cycle begun after it started), then a load and a click after it.
            if (now == "during" and mine["during"] >= 1 and phase["import"] == "done") or (
                now != "during" and mine[now] >= 1
            ):
                await asyncio.sleep(0.2)
                continue
            for spec in pages if now != "after" else pages[:2]:
                started = time.perf_counter()
                if spec is pages[0]:
                    kind = "load"
                    await page.goto(url + "/", wait_until="commit")
                    error = await _interact(page, None, timeout_ms)
                else:
                    link = page.locator(f"[data-testid='stSidebarNavLink'][href$='/{spec['url_path']}']")
                    kind = "click"
                    error = await _interact(
                        page, lambda link=link: link.click(timeout=timeout_ms), timeout_ms
                    )
                step = Step(n, spec["url_path"] or "overview", kind, started, time.perf_counter(), error, now)
                clock.steps.append(step)
                if VERBOSE:
                    print(
                        f"  session {n} {now} {step.page} {kind} {step.ended - started:.2f} s {error or ''}",
                        flush=True,
                    )
            mine[now] += 1
    finally:
        await context.close()


async def _all_did(cycles: dict[int, dict[str, int]], which: str, sessions: int, tasks: list[Any]) -> None:
    while sum(c[which] >= 1 for c in cycles.values()) < sessions and not all(t.done() for t in tasks):
        await asyncio.sleep(0.2)


async def _drive(
    url: str, sessions: int, store: Path, csv: Path, clock: Clock, timeout_ms: int
) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    pages = dashboard_pages()
    pages.sort(
        key=lambda p: (not p["default"], p["url_path"] == "presenter")
    )  # Overview first, presenter last
    phase = {"now": "before", "import": "not yet"}
    cycles: dict[int, dict[str, int]] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        tasks = []
        for n in range(sessions):
            tasks.append(
                asyncio.create_task(_session(n, browser, url, pages, clock, phase, cycles, timeout_ms))
            )
            await asyncio.sleep(0.1)
        await _all_did(cycles, "before", sessions, tasks)
        phase["now"] = "during"
        clock.import_started = time.perf_counter()
        proc = start_import(store, csv)
        while proc.poll() is None:
            if clock.write_started == float("inf") and any(x.endswith(".tmp") for x in leftovers(store)):
                clock.write_started = time.perf_counter()
            await asyncio.sleep(0.02)
        clock.import_ended = time.perf_counter()
        phase["import"] = "done"
        _, err = proc.communicate()
        await _all_did(cycles, "during", sessions, tasks)
        phase["now"] = "after"
        await _all_did(cycles, "after", sessions, tasks)
        phase["now"] = "stop"
        await asyncio.gather(*tasks, return_exceptions=True)
        await browser.close()
    return {"import_rc": proc.returncode, "import_err": err[-500:] if proc.returncode else ""}


def run(workdir: Path, rows: int, sessions: int, timeout_s: float = 300) -> dict[str, Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        raise RuntimeError("Debian chromium is not installed (apt-get install chromium)")
    workdir.mkdir(parents=True, exist_ok=True)
    first = synthetic_csv(workdir / "first.csv", rows, prefix="SP-")
    second = synthetic_csv(workdir / "second.csv", rows, prefix="SQ-")
    store = registry_store(workdir / "psp.duckdb")
    loaded = run_import(store, first)
    if loaded.returncode != 0:
        raise RuntimeError(f"the first import failed: {loaded.stderr[-2000:]}")
    log = workdir / "server.log"
    proc, url = start_server(store, log)
    clock = Clock()
    try:
        outcome = asyncio.run(_drive(url, sessions, store, second, clock, int(timeout_s * 1000)))
        alive = proc.poll() is None
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    server_log = log.read_text(errors="replace")
    tracebacks = server_log.count("Traceback")

    def times(which: str) -> list[float]:
        if which == "before":
            chosen = [s for s in clock.steps if s.ended <= clock.import_started]
        elif which == "during":
            chosen = [
                s for s in clock.steps if s.started < clock.import_ended and s.ended > clock.import_started
            ]
        elif which == "during the write":
            chosen = [
                s for s in clock.steps if s.started < clock.import_ended and s.ended > clock.write_started
            ]
        else:
            chosen = [s for s in clock.steps if s.started >= clock.import_ended]
        return [s.ended - s.started for s in chosen if s.error is None]

    phases = {}
    for which in ("before", "during", "during the write", "after"):
        t = times(which)
        phases[which] = {"n": len(t), "p50_s": round(pct(t, 0.5), 2), "p95_s": round(pct(t, 0.95), 2)}
    errors = [s for s in clock.steps if s.error]
    return {
        "rows": rows,
        "sessions": sessions,
        "pages": len(dashboard_pages()),
        "interactions": len(clock.steps),
        "sessions_seen": len({s.session for s in clock.steps}),
        "import_s": round(clock.import_ended - clock.import_started, 1),
        "write_s": round(clock.import_ended - clock.write_started, 1),
        "import_rc": outcome["import_rc"],
        "import_err": outcome["import_err"],
        "server_alive": alive,
        "server_tracebacks": tracebacks,
        "server_log_tail": server_log[-1500:] if tracebacks else "",
        "errors": [f"session {s.session} {s.page} ({s.kind}): {s.error}" for s in errors],
        "phases": phases,
        # (session, page) of every interaction begun after the import started (the during cycles)
        "during_pages": sorted({(s.session, s.page) for s in clock.steps if s.phase == "during"}),
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"concurrency: {result['sessions']} browser sessions x {result['pages']} pages, an import of"
        f" {result['rows']:,} rows into the store they read ({result['import_s']} s, {result['write_s']} s of it"
        f" writing; exit {result['import_rc']})",
        f"  {result['interactions']:,} interactions by {result['sessions_seen']} sessions;"
        f" {len(result['errors'])} errors; server tracebacks {result['server_tracebacks']};"
        f" server alive {result['server_alive']}",
    ]
    for which, p in result["phases"].items():
        lines.append(f"  {which:<17} n={p['n']:>4}  p50 {p['p50_s']:>6.2f} s  p95 {p['p95_s']:>6.2f} s")
    lines += [f"  ERROR {e}" for e in result["errors"][:20]]
    if result["server_log_tail"]:
        lines.append("  server log: " + result["server_log_tail"])
    return "\n".join(lines)
