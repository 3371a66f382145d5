"""The access policy (analysis/access.py): roles, roles.toml, the serving rule, the guard
on analysis calls and small-count suppression, with hand-checked frames."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from analysis.access import (
    AccessDenied,
    Capability,
    Role,
    RolesError,
    allows,
    guard,
    require,
    suppress_counts,
)
from analysis.deployment import (
    LOCAL_ADMIN,
    PUBLIC_VIEWER,
    RoleMap,
    auth_provider,
    parse_roles,
    principal_for,
    serving_problem,
)
from analysis.geo.cells import CellMap, cell_summary
from report.slides import Slide

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "s3cret",
    "client_id": "psp",
    "client_secret": "x",
    "server_metadata_url": "http://idp/.well-known/openid-configuration",
}


@pytest.mark.parametrize(
    ("capability", "viewer", "analyst", "admin"),
    [
        (Capability.AGGREGATES, True, True, True),
        (Capability.SMALL_COUNTS, False, True, True),
        (Capability.INCIDENTS, False, True, True),
        (Capability.POINTS, False, True, True),
        (Capability.EXPORT, False, True, True),
        (Capability.IMPORT, False, False, True),
        (Capability.EDIT, False, False, True),
        (Capability.AUDIT, False, False, True),
    ],
)
def test_capabilities_by_role(capability: Capability, viewer: bool, analyst: bool, admin: bool) -> None:
    assert [allows(r, capability) for r in (Role.VIEWER, Role.ANALYST, Role.ADMIN)] == [
        viewer,
        analyst,
        admin,
    ]
    assert not allows(Role.NONE, capability)


def test_require_raises_with_a_clear_message() -> None:
    require(Role.ADMIN, Capability.IMPORT)
    with pytest.raises(AccessDenied, match=r"your role \(analyst\) may not import .* needs the admin role"):
        require(Role.ANALYST, Capability.IMPORT)


ROLES_TOML = """
default = "viewer"
[users]
"Chief@PD.example" = "viewer"
"boss@pd.example" = "admin"
[groups]
crime-analysts = "analyst"
"""


def test_roles_file_highest_grant_wins_and_default() -> None:
    roles = parse_roles(ROLES_TOML)
    assert roles.role_for("chief@pd.example") == Role.VIEWER  # e-mails compare case-insensitively
    assert roles.role_for("chief@pd.example", ["Crime-Analysts"]) == Role.ANALYST
    assert roles.role_for("boss@pd.example", ["crime-analysts"]) == Role.ADMIN
    assert roles.role_for("someone@pd.example") == Role.VIEWER  # the file's default
    assert RoleMap().role_for("someone@pd.example") == Role.NONE  # no file: nobody is granted anything


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('default = "superuser"', "unknown role 'superuser'"),
        ('[users]\n"a@b" = "root"', "unknown role 'root'"),
        ("users = 3", r"\[users\] must be a table"),
        ("[admins]\nx = 1", "unknown keys"),
        ("[users\n", "not valid TOML"),
    ],
)
def test_bad_roles_file(text: str, message: str) -> None:
    with pytest.raises(RolesError, match=message):
        parse_roles(text)


def test_auth_provider_default_named_or_missing() -> None:
    assert auth_provider(AUTH) == ""
    shared = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "s"}
    named = {**shared, "pd": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    assert auth_provider(named) == "pd"
    assert auth_provider(None) is None
    assert auth_provider({**AUTH, "cookie_secret": ""}) is None
    assert auth_provider({k: v for k, v in AUTH.items() if k != "client_secret"}) is None


def test_serving_rule() -> None:
    for local in ("127.0.0.1", "localhost", "::1"):
        assert serving_problem(local, None, public=False) is None
    message = serving_problem("0.0.0.0", None, public=False)
    assert (
        message and "[auth]" in message and "secrets.toml" in message and "PSP_PUBLIC_AGGREGATES=1" in message
    )
    assert serving_problem(None, None, public=False)  # unset = every interface
    assert serving_problem("0.0.0.0", AUTH, public=False) is None
    assert serving_problem("0.0.0.0", None, public=True) is None


def test_principal_for_each_mode() -> None:
    roles = parse_roles(ROLES_TOML)
    kw = {"email": "boss@pd.example", "groups": (), "roles": roles}
    assert principal_for(public=True, auth_configured=True, **kw) == PUBLIC_VIEWER
    assert principal_for(public=False, auth_configured=False, **kw) == LOCAL_ADMIN
    signed = principal_for(public=False, auth_configured=True, **kw)
    assert signed is not None and signed.role == Role.ADMIN and signed.signed_in
    assert principal_for(public=False, auth_configured=True, email=None, groups=(), roles=roles) is None


def test_guard_refuses_incident_functions_below_analyst() -> None:
    rows = pd.DataFrame({"source_id": ["a"]})
    for name in (
        "analysis.query.profile.incident_page",
        "analysis.query.profile.incident_rows",
        "analysis.geo.points.points",
    ):
        with pytest.raises(AccessDenied):
            guard(name, Role.VIEWER, rows)
        assert guard(name, Role.ANALYST, rows) is rows
    with pytest.raises(AccessDenied):
        guard("analysis.series.rates.anything", Role.NONE, rows)


def test_suppression_masks_small_district_figures_not_zero() -> None:
    frame = pd.DataFrame(
        {
            "district": ["A", "B", "C", "D"],
            "current": [12, 3, 0, 7],
            "previous": [10, 9, 0, 4],
            "diff": [2, -6, 0, 3],
            "judgement": ["x", "y", "z", "w"],
        }
    )
    out = guard("analysis.query.profile.district_changes", Role.VIEWER, frame, k=5)
    assert out["current"].tolist()[0] == 12 and out["current"].isna().tolist() == [False, True, False, True]
    assert out["previous"].isna().tolist() == [False, True, False, True]
    assert out["diff"].isna().tolist() == [False, True, False, True]
    assert out["judgement"].isna().tolist() == [False, True, False, True]
    assert out.attrs["totals"] == (22, 23)  # the city's total stays exact
    assert guard("analysis.query.profile.district_changes", Role.ANALYST, frame, k=5) is frame
    assert suppress_counts(frame, ("current",), k=1) is frame  # k = 1 suppresses nothing


def test_suppression_drops_small_cells() -> None:
    cells = pd.DataFrame({"cell": [1, 2, 3], "h3": ["a", "b", "c"], "n": [9, 5, 4]})
    cm = CellMap(cells, 8, 8, total=20, located=18)
    out = guard("analysis.geo.cells.map_cells", Role.VIEWER, cm, k=5)
    assert out.cells["h3"].tolist() == ["a", "b"] and out.located == 18 and out.hidden == 4
    assert guard("analysis.geo.cells.map_cells", Role.ANALYST, cm, k=5) is cm
    assert cell_summary(out, "offenses").endswith(" 4 are in cells with too few offenses to show.")
    none_shown = guard("analysis.geo.cells.map_cells", Role.VIEWER, cm, k=10)
    assert (
        cell_summary(none_shown, "offenses")
        == "18 offenses have a location, all in cells with too few offenses to show."
    )
    by_district = pd.DataFrame({"district": ["A", "B"], "n": [40, 2]})
    masked = guard("analysis.geo.districts.counts_by_district", Role.VIEWER, by_district, k=5)
    assert masked["n"].isna().tolist() == [False, True]


def test_suppression_of_hot_spots_and_their_trend() -> None:
    hot = pd.DataFrame(
        {
            "rank": [1, 2],
            "current": [8, 3],
            "previous": [2, 6],
            "z": [1.0, -1.0],
            "trend": [[0, 2, 6], [1, 2]],
        }
    )
    out = guard("analysis.query.profile.hotspot_cells", Role.VIEWER, hot, k=5)
    assert out["rank"].tolist() == [1]
    assert pd.isna(out["previous"].iloc[0]) and pd.isna(out["z"].iloc[0])
    assert out["trend"].iloc[0] == [0, None, 6]


def test_hot_spot_slide_loses_its_map_for_a_viewer() -> None:
    slide = Slide("hotspots_memphis_tn", "Memphis", "msg", data=pd.DataFrame({"offenses": [1]}))
    out = guard("report.briefing.briefing_slide", Role.VIEWER, slide, k=5)
    assert out.figure is None and out.data is None and "analysts" in out.message
    other = replace(slide, key="title")
    assert guard("report.briefing.briefing_slide", Role.VIEWER, other) is other


def test_suppression_threshold_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from kernel.settings import suppress_k

    monkeypatch.delenv("PSP_SUPPRESS_K", raising=False)
    assert suppress_k() == 5
    monkeypatch.setenv("PSP_SUPPRESS_K", "11")
    assert suppress_k() == 11
    monkeypatch.setenv("PSP_SUPPRESS_K", "0")
    assert suppress_k() == 1
    monkeypatch.setenv("PSP_SUPPRESS_K", "five")
    assert suppress_k() == 5
