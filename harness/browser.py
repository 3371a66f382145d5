"""Debian's chromium for Playwright (never a browser Playwright downloads itself): its
path, its launch arguments, and the rule that under CI=true a missing browser fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# True once the app's script run has ended (for page.wait_for_function before a click that
# a run still drawing could detach).
IDLE_JS = """() => document.querySelector('[data-test-script-state]')
  ?.getAttribute('data-test-script-state') === 'notRunning'"""
# In CI every browser check must run: a skip there is a failure (tests/conftest.skip_or_fail).
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None when Debian's chromium is installed."""
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return None
    return "Debian chromium is not installed (apt-get install chromium)"


def launch(chromium: Any) -> Any:
    """`playwright.chromium` (sync or async API) -> a headless Debian chromium (for the
    async API the caller awaits the result)."""
    return chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
