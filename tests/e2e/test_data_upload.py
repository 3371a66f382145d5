"""A person loads a real file through the Data page's upload box while the dashboard runs,
and sees it in the store and on the page; a bad file leaves the store as it was."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from harness.browser import IDLE_JS
from ingest.registry import load_registry
from ingest.store import write_store
from kernel.store import connect_readonly
from tests.e2e.test_browser import open_page

pytestmark = pytest.mark.e2e


@pytest.fixture()
def empty_real_store(tmp_path: Path) -> Path:
    path = tmp_path / "real.duckdb"
    with write_store(path) as con:
        load_registry(con)
    return path


def _choose_source(page: Any, source: str) -> None:
    """Pick `source` in the form's select box once the page's run has ended; a pick the
    page redrew away (the option list detached while a run was still drawing, seen with
    three test workers on 2 cores) is made again, up to three times."""
    box = page.locator("[data-testid='stForm'] [data-testid='stSelectbox']")
    for _ in range(3):
        page.wait_for_function(IDLE_JS, timeout=60_000)
        box.click()
        page.keyboard.type(source)  # the option list is virtualised: filter it, then pick
        try:
            page.get_by_role("option", name=source, exact=True).click(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        if box.locator("input").input_value() == source:
            return
    raise AssertionError(
        f"the source box never took {source!r}; it shows {box.locator('input').input_value()!r}"
    )


def _upload(page: Any, source: str, file: Path) -> None:
    page.get_by_text("Load real data", exact=True).wait_for(timeout=45_000)
    _choose_source(page, source)
    page.locator("[data-testid='stFileUploader'] input[type=file]").first.set_input_files(str(file))
    # Wait until the upload has reached the server (the file chip shows) before submitting.
    page.locator("[data-testid='stFileChip']").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Import").click()


def test_upload_real_file_then_bad_file(
    browser: Any,
    serve: Callable[[Path], Any],
    empty_real_store: Path,
    shared_data: Path,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    server = serve(empty_real_store)
    page, external = open_page(browser, server.url + "/data")
    _upload(page, "kansas_city_frauds", shared_data / "raw/kansas_city/kansas_city_frauds_2015-02-14.csv.gz")
    page.wait_for_selector("text=Imported 6 of 6 rows", timeout=60_000)
    page.locator("[data-testid='stForm']").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "data_upload_ok.png"))
    con = connect_readonly(empty_real_store)
    assert con.execute("select count(*) from incidents where source = 'kansas_city_frauds'").fetchone() == (
        6,
    )
    con.close()
    page.get_by_role("button", name="Show the new data").click()
    page.wait_for_selector("text=1 city has data", timeout=30_000)

    before = hashlib.sha256(empty_real_store.read_bytes()).hexdigest()
    bad = tmp_path / "broken.csv"
    bad.write_text("uid,offense_code\n1,26A\n")  # no date, no coordinates columns
    page.reload()
    _upload(page, "kansas_city_frauds", bad)
    page.wait_for_selector("text=Import failed; the store was not changed.", timeout=60_000)
    page.screenshot(path=str(screenshots / "data_upload_error.png"))
    assert hashlib.sha256(empty_real_store.read_bytes()).hexdigest() == before
    assert page.locator("[data-testid='stException']").count() == 0
    assert external == []
    page.close()
