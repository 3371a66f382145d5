"""Each role on the pages (AppTest, signed in through `at.user` with [auth] settings in
`at.secrets`; the real sign-in through an OIDC provider is tests/e2e/test_auth_browser.py):
what a viewer, an analyst and an admin get, what is refused, and the audit trail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ingest.audit import recent
from tests.fixtures.access import FORMULA_ID, ROLES, SENSITIVE_PLACES, build_access_store

ROOT = Path(__file__).resolve().parents[2]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-enough-length",
    "client_id": "psp",
    "client_secret": "psp-secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
USERS = {
    "viewer": {"email": "viewer@pd.example"},
    "analyst": {"email": "ana@pd.example", "groups": ["crime-analysts"]},
    "admin": {"email": "admin@pd.example"},
    "nobody": {"email": "stranger@pd.example"},
    "unverified": {"email": "admin@pd.example", "email_verified": False, "sub": "idp-7f3a"},
}
MEMPHIS_2024 = {"city": "memphis_tn", "start": "2024-01-01", "end": "2024-02-29"}


@pytest.fixture(scope="module")
def access_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_access_store(tmp_path_factory.mktemp("access") / "access.duckdb")


@pytest.fixture()
def audit_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "audit.duckdb"
    monkeypatch.setenv("PSP_AUDIT_DB", str(path))
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES)
    monkeypatch.setenv("PSP_ROLES", str(roles))
    return path


@pytest.fixture()
def as_user(
    access_store: Path, audit_db: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AppTest]]:
    """`as_user(who, page, query)` -> an AppTest signed in as USERS[who] (None: not signed in)."""
    monkeypatch.setenv("PSP_DB", str(access_store))

    def make(who: str | None, page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, **USERS[who]} if who else {"is_logged_in": False}
        for key, value in (query or {}).items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at.run()

    yield make


def layers(at: AppTest) -> dict[str, Any]:
    charts = at.get("deck_gl_json_chart")
    assert charts, "no map on the page"
    return {layer["id"]: layer for layer in json.loads(charts[0].proto.json)["layers"]}


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "error", "warning") for e in at.get(kind)]
    return " ".join(str(p) for p in parts)


def test_not_signed_in_sees_only_the_sign_in_page(as_user: Callable[..., AppTest]) -> None:
    at = as_user(None, "views/city.py", MEMPHIS_2024)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.dataframe and not at.get("plotly_chart") and not at.get("download_button")


def test_signed_in_without_a_role_is_stopped(as_user: Callable[..., AppTest]) -> None:
    at = as_user("nobody")
    assert not at.exception
    assert "stranger@pd.example, but this account has no role" in texts(at)
    assert not at.get("plotly_chart") and not at.dataframe


def test_an_unverified_email_grants_nothing(as_user: Callable[..., AppTest]) -> None:
    at = as_user("unverified")
    assert "signed in as idp-7f3a, but this account has no role" in texts(at)


def test_viewer_gets_aggregates_without_incidents_points_exports_or_small_counts(
    as_user: Callable[..., AppTest], audit_db: Path
) -> None:
    at = as_user("viewer", "views/city.py", MEMPHIS_2024)
    assert not at.exception
    assert "Signed in as **viewer@pd.example** (viewer)" in texts(at)
    assert at.get("plotly_chart"), "the aggregate charts are shown"
    assert "incident table (one row per offense) is for analysts" in texts(at)
    assert not at.get("download_button")
    assert all(FORMULA_ID not in d.value.to_string() for d in at.dataframe)  # no incident row anywhere
    districts = next(
        d.value for d in at.dataframe if "judgement" in d.value.columns and "district" in d.value.columns
    )
    small = districts[(districts["current"].fillna(0) > 0) & (districts["current"].fillna(0) < 5)]
    assert small.empty and districts["current"].isna().any(), "small district counts are suppressed"

    at = as_user("viewer", "views/map.py", MEMPHIS_2024)
    assert not at.exception
    deck = layers(at)
    assert "points" not in deck
    assert not [t for t in at.toggle if t.label == "Offenses as points"]
    counts = [
        int(re.match(r"[\d,]+", c["t"]).group().replace(",", ""))
        for c in deck.get("cells", {}).get("data", [])
    ]  # type: ignore[union-attr]
    assert all(n >= 5 for n in counts)
    assert not at.get("download_button")

    at = as_user("viewer", "views/data.py")
    assert not at.exception
    assert "Importing and uploading data is for admins." in texts(at)
    assert not [s for s in at.subheader if s.value == "Audit trail"]
    at = as_user("viewer", "views/goals.py")
    assert not at.exception and not [b for b in at.button if b.label == "Create goal"]

    trail = recent(audit_db, 0)
    assert (trail["who"] == "viewer@pd.example").all()
    assert {"sign_in", "view"} <= set(trail["action"])
    city_view = trail[(trail["action"] == "view") & (trail["page"] == "city")]
    assert (
        "city=memphis_tn" in city_view["query"].iloc[0] and "start=2024-01-01" in city_view["query"].iloc[0]
    )


def test_analyst_gets_incidents_points_and_exports_but_no_writes(as_user: Callable[..., AppTest]) -> None:
    at = as_user("analyst", "views/city.py", MEMPHIS_2024)
    assert not at.exception
    assert "Signed in as **ana@pd.example** (analyst)" in texts(at)
    incidents = next(d.value for d in at.dataframe if "source_id" in d.value.columns)
    assert FORMULA_ID in incidents["source_id"].tolist()
    assert at.download_button(key="inc_csv").label.startswith("Download CSV")

    at = as_user("analyst", "views/map.py", MEMPHIS_2024)
    assert not at.exception
    points = layers(at)["points"]["data"]
    assert points, "the analyst sees points"
    places = {(round(p["p"][1], 3), round(p["p"][0], 3)) for p in points}
    assert not places & {(round(a, 3), round(b, 3)) for a, b in SENSITIVE_PLACES}
    assert all("Rape" not in p["t"] for p in points)

    at = as_user("analyst", "views/data.py")
    assert "Importing and uploading data is for admins." in texts(at)
    assert not [s for s in at.subheader if s.value == "Audit trail"]
    at = as_user("analyst", "views/goals.py")
    assert not at.exception and not [b for b in at.button if b.label == "Create goal"]
    assert "goals and interventions is for admins" in texts(at)


def test_admin_gets_upload_goal_edits_and_the_audit_trail(as_user: Callable[..., AppTest]) -> None:
    at = as_user("admin", "views/goals.py")
    assert not at.exception and [b for b in at.button if b.label == "Create goal"]
    at = as_user("admin", "views/data.py")
    assert not at.exception
    assert [s for s in at.subheader if s.value == "Audit trail"]
    trail = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert set(trail["who"]) == {"admin@pd.example"} and "view" in set(trail["action"])
    assert at.download_button(key="audit_csv").label == "Download the audit trail (CSV)"
    assert "every entry is chained" in " ".join(s.value for s in at.success)


def test_public_aggregates_mode_is_a_viewer_without_sign_in(
    as_user: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSP_PUBLIC_AGGREGATES", "1")
    at = as_user(None, "views/city.py", MEMPHIS_2024)
    assert not at.exception
    assert not [b for b in at.button if b.label == "Sign in"]
    assert at.get("plotly_chart") and not at.get("download_button")
    assert "Public view: aggregates only" in texts(at)


def test_a_non_local_address_without_sign_in_is_refused(
    access_store: Path, audit_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit import config

    monkeypatch.setenv("PSP_DB", str(access_store))
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    assert "Refusing to serve on 0.0.0.0 without sign-in" in at.error[0].value
    assert "PSP_PUBLIC_AGGREGATES=1" in at.error[0].value
    assert not at.get("plotly_chart")


def test_local_without_sign_in_is_the_admin(
    access_store: Path, audit_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No [auth] settings on 127.0.0.1: today's `make run`, straight into the dashboard."""
    monkeypatch.setenv("PSP_DB", str(access_store))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.switch_page("views/data.py")
    at.run()
    assert not at.exception
    assert [s for s in at.subheader if s.value == "Audit trail"]
    assert set(recent(audit_db, 0)["who"]) == {"local"}


def _call_incident_functions() -> None:
    """A page that asks for incident rows and points directly, as a buggy or new page might."""
    import streamlit as st

    from analysis.access import AccessDenied
    from analysis.geo.points import points
    from analysis.query.profile import incident_page, incident_rows
    from ui.data import query

    for fn in (incident_page, incident_rows, points):
        try:
            query(fn, None)
        except AccessDenied as exc:
            st.markdown(f"refused {fn.__name__}: {exc}")


def test_the_code_path_refuses_a_viewer_whatever_the_page_draws(
    audit_db: Path, access_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSP_DB", str(access_store))
    at = AppTest.from_function(_call_incident_functions, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, **USERS["viewer"]}
    at.run()
    assert not at.exception
    said = [m.value for m in at.markdown]
    assert [s.split(":")[0] for s in said] == [
        "refused incident_page",
        "refused incident_rows",
        "refused points",
    ]
    assert "your role (viewer) may not see incident rows" in said[0]
    denied = recent(audit_db, 0, action="denied")
    assert len(denied) == 3 and set(denied["who"]) == {"viewer@pd.example"}
    assert {json.loads(d)["capability"] for d in denied["detail"]} == {"INCIDENTS", "POINTS"}


def test_viewer_opens_every_page_without_an_error(as_user: Callable[..., AppTest]) -> None:
    """Suppressed counts (NA) and missing points go through every summary, chart and slide."""
    for page in ("overview", "trends", "map", "city", "goals", "interventions", "data", "presenter"):
        at = as_user("viewer", f"views/{page}.py", MEMPHIS_2024)
        assert not at.exception, (page, at.exception)
        assert not at.get("download_button"), page
