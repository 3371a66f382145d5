"""Sign-in for real: a real OIDC provider on localhost (oidc-provider-mock), the dashboard
with [auth] settings in a secrets.toml, and Debian chromium signing in through the
provider's form as a viewer, an analyst and an admin. Each role is refused exactly what it
may not do; the map's deck JSON is read from the websocket messages the browser received
(never a sex offense as a point); the analyst's CSV download has its formula neutralised;
the audit trail records all of it. Also: the launcher refuses 0.0.0.0 without sign-in."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.server import Server, free_port
from ingest.audit import recent, verify
from tests.fixtures.access import FORMULA_ID, ROLES, SENSITIVE_PLACES, build_access_store

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

MEMPHIS_2024 = "city=memphis_tn&start=2024-01-01&end=2024-02-29"
DOWNLOAD = "[data-testid='stDownloadButton']"


@pytest.fixture(scope="module")
def oidc() -> Iterator[str]:
    """A real OIDC provider on localhost with three users (the analyst by group)."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [
        User(sub="viewer@pd.example", claims={"email": "viewer@pd.example"}),
        User(sub="ana@pd.example", claims={"email": "ana@pd.example", "groups": ["crime-analysts"]}),
        User(sub="admin@pd.example", claims={"email": "admin@pd.example"}),
    ]
    with run_server_in_thread(port=0, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def site(oidc: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """The dashboard with sign-in through `oidc`, its roles file and its own audit trail."""
    tmp = tmp_path_factory.mktemp("auth")
    store = build_access_store(tmp / "access.duckdb")
    port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test-0123456789"\n'
        'client_id = "psp-dashboard"\n'
        'client_secret = "psp-dashboard-secret"\n'
        f'server_metadata_url = "{oidc}/.well-known/openid-configuration"\n'
    )
    (tmp / "roles.toml").write_text(ROLES)
    audit = tmp / "audit.duckdb"
    env = {"PSP_ROLES": str(tmp / "roles.toml"), "PSP_AUDIT_DB": str(audit)}
    server = Server(store, env=env, args=("--secrets.files", str(secrets)), port=port)
    yield server, audit
    server.stop()


def deck_messages(page: Any) -> list[dict[str, Any]]:
    """Collects every deck (as JSON) the browser receives over Streamlit's websocket."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    decks: list[dict[str, Any]] = []

    def on_frame(payload: Any) -> None:
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "deck_gl_json_chart":
                decks.append(json.loads(element.deck_gl_json_chart.json))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return decks


def sign_in(browser: Any, server: Server, who: str) -> tuple[Any, list[dict[str, Any]]]:
    """A fresh browser context (no cookie) signing in through the provider's form."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(90_000)  # a shared, loaded machine: generous, never a sleep
    page = context.new_page()
    decks = deck_messages(page)
    page.goto(server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click(timeout=90_000)
    page.wait_for_url("**/oauth2/authorize**", timeout=90_000)  # the provider's own page
    page.locator(f"button[name='sub'][value='{who}']").click()
    page.wait_for_url(server.url + "/**", timeout=90_000)
    page.get_by_text(f"Signed in as {who}").wait_for(timeout=90_000)
    return page, decks


def visit(page: Any, server: Server, path: str, wait_text: str) -> None:
    page.goto(f"{server.url}/{path}", wait_until="domcontentloaded")
    page.get_by_text(wait_text).first.wait_for(timeout=90_000)
    page.wait_for_timeout(800)  # the rest of the run's elements
    assert page.locator("[data-testid='stException']").count() == 0


def map_deck(page: Any, server: Server, decks: list[dict[str, Any]]) -> dict[str, Any]:
    decks.clear()
    # The caption comes after the map in the page's run: once it shows, the deck's message
    # has arrived (the browser may still be drawing it, which does not matter here).
    visit(page, server, f"map?{MEMPHIS_2024}", "Privacy: sex offenses")
    assert decks, "no deck arrived over the websocket"
    return {layer["id"]: layer for layer in decks[-1]["layers"]}


@pytest.mark.timeout(900)  # about 2 minutes alone; far longer on a shared, loaded machine
def test_sign_in_per_role_through_a_real_oidc_provider(
    browser: Any, site: tuple[Server, Path], screenshots: Path
) -> None:
    server, audit = site

    # the gate: nothing but a sign-in button before signing in
    gate = browser.new_page(viewport={"width": 1400, "height": 700})
    gate.goto(server.url + "/city?" + MEMPHIS_2024, wait_until="domcontentloaded")
    gate.get_by_role("button", name="Sign in").wait_for(timeout=90_000)
    assert gate.locator("[data-testid='stPlotlyChart'], [data-testid='stDataFrame']").count() == 0
    gate.screenshot(path=str(screenshots / "auth_sign_in.png"), timeout=90_000)
    gate.close()

    # viewer: aggregates only
    page, decks = sign_in(browser, server, "viewer@pd.example")
    page.get_by_text("(viewer)").first.wait_for()
    visit(page, server, f"city?{MEMPHIS_2024}", "is for analysts and admins; this page shows aggregates")
    page.screenshot(path=str(screenshots / "auth_viewer_city.png"), timeout=90_000)
    assert page.locator(DOWNLOAD).count() == 0
    assert page.get_by_text("Rows per page").count() == 0
    layers = map_deck(page, server, decks)
    assert "points" not in layers
    assert page.get_by_text("Offenses as points", exact=True).count() == 0  # no toggle
    counts = [int(c["t"].split()[0].replace(",", "")) for c in layers.get("cells", {}).get("data", [])]
    assert all(n >= 5 for n in counts), counts
    visit(page, server, "data", "Importing and uploading data is for admins.")
    assert page.get_by_text("Audit trail", exact=True).count() == 0
    assert page.locator(DOWNLOAD).count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/oauth2/end_session**", timeout=90_000)  # Streamlit ends the provider's session too
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(server.url + "/**", timeout=90_000)
    page.goto(server.url + "/", wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").wait_for(timeout=90_000)  # signed out: back to the gate
    page.context.close()

    # analyst: incidents, points and exports; no upload, no goal edits
    page, decks = sign_in(browser, server, "ana@pd.example")
    visit(page, server, f"city?{MEMPHIS_2024}", "Rows per page")
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Download CSV (first").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert "'" + FORMULA_ID in [r["source_id"] for r in rows]
    assert not [r for r in rows if r["source_id"].startswith(("=", "+", "-", "@"))]
    layers = map_deck(page, server, decks)
    points = layers["points"]["data"]
    assert points, "the analyst sees offenses as points"
    sensitive = {(round(a, 3), round(b, 3)) for a, b in SENSITIVE_PLACES}
    assert not {(round(p["p"][1], 3), round(p["p"][0], 3)) for p in points} & sensitive
    assert not [p for p in points if "Rape" in p["t"]]
    page.screenshot(path=str(screenshots / "auth_analyst_map.png"), timeout=90_000)
    # (the analyst's Data page without upload is in tests/pages/test_access.py)
    visit(page, server, "goals", "goals and interventions is for admins")
    assert page.get_by_role("button", name="Create goal").count() == 0
    page.context.close()

    # admin: everything, and the audit trail
    page, decks = sign_in(browser, server, "admin@pd.example")
    visit(page, server, "data", "Audit trail")
    assert page.get_by_role("button", name="Import").count() == 1
    page.get_by_text("every entry is chained").wait_for(timeout=90_000)
    page.get_by_text("Audit trail", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshots / "auth_admin_audit.png"), timeout=90_000)
    page.context.close()

    trail = recent(audit, 0)
    signed = trail[trail["action"] == "sign_in"]
    assert len(signed) == 3  # one per sign-in, not one per page load
    assert set(signed["who"]) == {"viewer@pd.example", "ana@pd.example", "admin@pd.example"}
    assert set(zip(signed["who"], signed["role"], strict=True)) == {
        ("viewer@pd.example", "viewer"),
        ("ana@pd.example", "analyst"),
        ("admin@pd.example", "admin"),
    }
    export = trail[trail["action"] == "export"]
    assert list(export["who"]) == ["ana@pd.example"]
    detail = json.loads(export["detail"].iloc[0])
    assert detail["rows"] == len(rows) and "source_id" in detail["columns"]
    # The export's view: the City profile of Memphis, the first city with incident records in
    # this store and so the page's default, which the URL leaves out (a link without `city`
    # reopens the same city on the same store).
    query = export["query"].iloc[0]
    assert export["page"].iloc[0] == "city" and "start=2024-01-01" in query
    assert "city=memphis_tn" in query or "city=" not in query
    assert list(trail[trail["action"] == "sign_out"]["who"]) == ["viewer@pd.example"]
    views = trail[trail["action"] == "view"]
    assert {("viewer@pd.example", "map"), ("ana@pd.example", "city"), ("admin@pd.example", "data")} <= set(
        zip(views["who"], views["page"], strict=True)
    )
    assert verify(audit) is None


def test_launcher_refuses_a_network_address_without_sign_in(tmp_path: Path) -> None:
    no_secrets = tmp_path / "none.toml"
    env = {k: v for k, v in os.environ.items() if k != "PSP_PUBLIC_AGGREGATES"}
    result = subprocess.run(
        [sys.executable, "-m", "ui.serve", "--server.address", "0.0.0.0", "--server.port", str(free_port()),
         "--secrets.files", str(no_secrets)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Refusing to serve on 0.0.0.0 without sign-in" in result.stderr
    assert (
        "[auth] section to .streamlit/secrets.toml" in result.stderr
        and "PSP_PUBLIC_AGGREGATES=1" in result.stderr
    )


def test_launcher_serves_public_aggregates_on_a_network_address(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, PSP_PUBLIC_AGGREGATES="1", PSP_DB=str(build_access_store(tmp_path / "s.duckdb")))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.address", "0.0.0.0", "--server.port", str(port),
         "--server.headless", "true", "--secrets.files", str(tmp_path / "none.toml")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline, ok = time.time() + 60, False
        while time.time() < deadline and proc.poll() is None and not ok:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    ok = r.status == 200
            except OSError:
                time.sleep(0.3)
        assert ok, proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else "no health"
    finally:
        proc.terminate()
        proc.wait(10)
