"""Real browser: the README's /overview link opens the Overview, and the sidebar's
Dataset switch changes the store, writes ?dataset= into the URL, and a reload of that
URL reopens the chosen dataset."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.browser import IDLE_JS

pytestmark = pytest.mark.e2e

TITLE = "text=The 12 PSP cities side by side"


@pytest.fixture()
def datasets(
    tmp_path_factory: pytest.TempPathFactory,
    tiny_store_path: Path,
    demo_store_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    folder = tmp_path_factory.mktemp("datasets")
    shutil.copyfile(tiny_store_path, folder / "public.duckdb")
    shutil.copyfile(demo_store_path, folder / "demo.duckdb")
    monkeypatch.setenv("PSP_DATASETS", str(folder))  # read by the server started below
    return folder


def test_overview_url_and_dataset_switch(
    browser: Any, serve: Callable[[Path], Any], datasets: Path, screenshots: Path
) -> None:
    server = serve(datasets / "public.duckdb")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # The README's link.
    page.goto(server.url + "/overview", wait_until="domcontentloaded")
    page.wait_for_selector(TITLE, timeout=60_000)
    assert page.locator("text=Page not found").count() == 0
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("text=DEMO DATA").count() == 0
    page.wait_for_function("() => location.search.includes('dataset=public')", timeout=30_000)
    # The root URL lands on /overview, with the link's parameters.
    page.goto(server.url + "/?dataset=demo", wait_until="domcontentloaded")
    page.wait_for_selector("text=DEMO DATA", timeout=60_000)
    page.wait_for_function("() => location.pathname.endsWith('/overview')", timeout=30_000)
    assert "dataset=demo" in page.url
    # Switch back to the public store in the sidebar, once the demo's run has ended.
    page.wait_for_function(IDLE_JS, timeout=60_000)
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Dataset").click()
    page.get_by_role("option", name="Public data (real, 12 cities)").click()
    page.wait_for_function("() => location.search.includes('dataset=public')", timeout=30_000)
    page.wait_for_selector(TITLE, timeout=60_000)
    page.wait_for_function("() => !document.body.innerText.includes('DEMO DATA')", timeout=30_000)
    page.screenshot(path=str(screenshots / "dataset_switch_public.png"))
    # A reload of the URL reopens the chosen dataset; the demo link reopens the demo.
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector(TITLE, timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator("text=DEMO DATA").count() == 0
    page.goto(server.url + "/trends?dataset=demo", wait_until="domcontentloaded")
    page.wait_for_selector("text=DEMO DATA", timeout=60_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
