"""Peak memory of the real dashboard: `streamlit run dashboard.py` driven through every
page by Playwright and Debian's chromium, reading the server's VmHWM from /proc.

Each page is opened by deep link with several filter combinations (each link is a new
session, so the sidebar seeds from the URL and the page computes that view). The server
keeps its Streamlit caches across sessions as in production; VmHWM is the high-water
mark of its resident memory over the whole drive.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.combos import Combo
from bench.pages import PAGES, dashboard_pages
from harness.browser import launch
from harness.server import Server


def proc_memory_mb(pid: int) -> dict[str, float]:
    """VmHWM (peak resident) and VmRSS (now) of a process, in MB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0]) / 1024  # kB -> MB (MiB)
    return out


def drive(store: Path, combos: list[Combo], screenshots: Path | None = None) -> dict[str, Any]:
    """Open every page of dashboard.py with each combo; return RSS and per-page times."""
    from playwright.sync_api import sync_playwright

    pages: dict[str, Any] = {}
    with Server(store) as server:
        url = server.url
        idle = proc_memory_mb(server.pid)
        with sync_playwright() as pw:
            browser = launch(pw.chromium)
            for spec in dashboard_pages():
                bench = PAGES[spec["file"]]
                times, errors = [], 0
                for i, combo in enumerate(combos):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    # Streamlit serves the default page at "/" only: "/<its url_path>" is "not found".
                    path = "" if spec["default"] else spec["url_path"]
                    link = f"{url}/{path}?{urlencode(bench.url(combo), doseq=True)}"
                    started = time.perf_counter()
                    page.goto(link, wait_until="domcontentloaded")
                    try:
                        page.wait_for_selector(bench.ready, timeout=60_000)
                        page.wait_for_selector(
                            "[data-testid='stStatusWidget']", state="detached", timeout=60_000
                        )
                    except Exception:  # noqa: BLE001 - a page that never draws is a finding
                        errors += 1
                    times.append(time.perf_counter() - started)
                    errors += page.locator("[data-testid='stException']").count()
                    if screenshots is not None and i == 0:
                        screenshots.mkdir(parents=True, exist_ok=True)
                        page.wait_for_timeout(1500)
                        name = spec["url_path"] or "default"
                        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
                    page.close()
                pages[spec["file"]] = {
                    "browser_p50_s": sorted(times)[len(times) // 2],
                    "browser_max_s": max(times),
                    "errors": errors,
                    "views": len(times),
                }
            browser.close()
        memory = proc_memory_mb(server.pid)
    return {
        "rss_mb": memory["VmHWM"],
        "rss_idle_mb": idle["VmRSS"],
        "rss_end_mb": memory["VmRSS"],
        "pages": pages,
    }
