"""Sign-in, the session's role and the audit trail, for every page (Streamlit glue).

`gate()` runs first on every rerun (dashboard.py): it refuses to serve beyond this machine
without sign-in settings, shows the sign-in page (st.login, OIDC, settings in
.streamlit/secrets.toml) until the user has signed in, stops a signed-in user without a
role, and puts who is signed in and a sign-out button in the sidebar. The policy itself is
analysis/access.py; this module only asks Streamlit who the user is and records what they do.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from analysis.access import (
    AccessDenied,
    Capability,
    Principal,
    Role,
    RoleMap,
    RolesError,
    auth_provider,
    load_roles,
    principal_for,
    serving_problem,
)
from ingest.audit import AuditError, Entry, recent, record, verify
from kernel.settings import audit_path, public_aggregates, roles_path, suppress_k

_LAST_VIEW = "_audit_last_view"
_SIGNED_IN = "_audit_signed_in"
_PAGE = "_audit_page"


def _auth_settings() -> Mapping[str, Any] | None:
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, ValueError):  # no or unreadable secrets.toml
        return None
    return auth if isinstance(auth, Mapping) else None


def provider() -> str | None:
    """The configured OIDC provider ("" = default), or None without sign-in settings."""
    return auth_provider(_auth_settings())


def _claims() -> tuple[str | None, tuple[str, ...]]:
    user = st.user
    if not user.get("is_logged_in"):
        return None, ()
    # The e-mail names the user in roles.toml, unless the provider says it is unverified;
    # then (or without one) the provider's subject id, which roles.toml can list too.
    email = user.get("email") if user.get("email_verified") is not False else None
    email = email or user.get("sub")
    groups = user.get("groups") or ()
    if isinstance(groups, str):
        groups = (groups,)
    return (str(email) if email else None), tuple(str(g) for g in groups)


def principal() -> Principal | None:
    """Who this session is; None when sign-in is configured and nobody has signed in."""
    public = public_aggregates()
    configured = provider() is not None
    email, groups = _claims() if configured and not public else (None, ())
    roles = _roles() if configured and not public else RoleMap()
    return principal_for(public=public, auth_configured=configured, email=email, groups=groups, roles=roles)


def _roles() -> RoleMap:
    path = roles_path().resolve()
    try:
        stamp = path.stat().st_mtime_ns if path.exists() else 0
        return _load_roles(str(path), stamp)
    except RolesError as exc:
        st.error(f"The roles file cannot be read, so nobody is granted anything. {exc}")
        st.stop()
        raise  # unreachable: st.stop raises


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_roles(path: str, mtime_ns: int) -> RoleMap:
    """roles.toml, re-read when the file changes (keyed on its mtime)."""
    return load_roles(Path(path))


def role() -> Role:
    p = principal()
    return p.role if p else Role.NONE


def can(capability: Capability) -> bool:
    """May this session do it? (for what a page offers; the code paths call `require`)."""
    p = principal()
    return bool(p and p.allows(capability))


def require(capability: Capability, what: str = "") -> Principal:
    """The principal, or AccessDenied (recorded in the audit trail) when it may not."""
    p = principal()
    if p is None or not p.allows(capability):
        who = p or Principal("anonymous", Role.NONE)
        audit("denied", who=who, capability=capability.name, what=what)
        raise AccessDenied(who.role, capability)
    return p


def current_page() -> str:
    """The page this run shows (its URL path), as dashboard.py reported it to audit_view."""
    return str(st.session_state.get(_PAGE, ""))


def current_query() -> str:
    return urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])


def audit(action: str, who: Principal | None = None, page: str | None = None, **detail: Any) -> None:
    """Append to the audit trail; a trail that cannot be written stops the page (nothing
    may happen unrecorded)."""
    p = who or principal() or Principal("anonymous", Role.NONE)
    entry = Entry(p.who, p.role.label, action, page or current_page(), current_query(), detail or None)
    try:
        record(audit_path().resolve(), entry)
    except (AuditError, OSError) as exc:
        st.error(f"The audit trail cannot be written, so the dashboard stops here. {exc}")
        st.stop()


def audit_view(page: str) -> None:
    """Record the page and its filters once per change (not on every rerun)."""
    st.session_state[_PAGE] = page
    key = (page, current_query())
    if st.session_state.get(_LAST_VIEW) != key:
        audit("view", page=page)
        st.session_state[_LAST_VIEW] = key


def _sign_in_page(name: str) -> None:
    st.title("PSP Crime Dashboard")
    st.markdown("This dashboard holds police records. Sign in with your department account to continue.")
    if st.button("Sign in", type="primary", key="sign_in"):
        if name:
            st.login(name)
        else:
            st.login()
    st.stop()


@st.cache_resource(show_spinner=False)
def _sign_ins() -> set[tuple[str, object]]:
    """Sign-ins already recorded by this server process."""
    return set()


def _sign_out() -> None:
    audit("sign_out")
    st.logout()


def gate() -> Principal:
    """Run before any page: refuse, ask to sign in, or return who this session is."""
    problem = serving_problem(st.get_option("server.address"), _auth_settings(), public_aggregates())
    if problem:
        st.error(problem)
        st.stop()
    name = provider()
    p = principal()
    if p is None:
        _sign_in_page(name or "")
        raise AssertionError  # unreachable: st.stop
    if p.signed_in and not st.session_state.get(_SIGNED_IN):
        st.session_state[_SIGNED_IN] = True
        # One entry per sign-in (per ID token, told by its issue time), not per session:
        # every new tab or reload is a new session on the same sign-in cookie.
        token = (p.who, str(st.user.get("iat", "")) or id(st.session_state))
        seen = _sign_ins()
        if token not in seen:
            seen.add(token)
            audit("sign_in", who=p, groups=list(p.groups))
    if p.role == Role.NONE:
        st.title("PSP Crime Dashboard")
        st.error(
            f"You are signed in as {p.who}, but this account has no role on this dashboard. "
            "Ask an administrator to add your e-mail or group to roles.toml."
        )
        st.button("Sign out", on_click=_sign_out, key="sign_out_none")
        st.stop()
    with st.sidebar:
        if p.signed_in:
            st.caption(f"Signed in as **{p.who}** ({p.role.label})")
            st.button("Sign out", on_click=_sign_out, key="sign_out")
        elif p.who == "public":
            st.caption(f"Public view: aggregates only; small counts (under {suppress_k()}) are hidden.")
    return p


AUDIT_ROWS = 1_000


def audit_trail_section() -> None:
    """The Data page's audit trail for admins: the newest entries, an integrity check and a
    CSV of the whole trail. Nothing here (or anywhere in the app) deletes an entry."""
    if not can(Capability.AUDIT):
        return
    from ui.exports import download_csv  # ui.exports imports this module

    st.subheader("Audit trail")
    path = audit_path().resolve()
    try:
        rows = recent(path, AUDIT_ROWS)
        broken = verify(path)
    except (AuditError, OSError) as exc:
        st.error(f"The audit trail cannot be read. {exc}")
        return
    st.caption(
        f"Who did what, newest first (the newest {AUDIT_ROWS:,}; the CSV has every entry). Kept in "
        f"{path.name}, apart from the store; append-only: the dashboard cannot delete an entry."
    )
    if broken is None:
        st.success(
            "Integrity: every entry is chained to the one before (no entry edited or removed).", icon="🔒"
        )
    else:
        st.error(f"Integrity: the chain breaks at entry {broken}: the file was edited outside the dashboard.")
    st.dataframe(rows.drop(columns=["prev_hash", "hash"], errors="ignore"), hide_index=True, width="stretch")
    download_csv(
        "Download the audit trail (CSV)", lambda: recent(path, 0), "psp_audit_trail.csv", key="audit_csv"
    )
