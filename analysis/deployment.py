"""Who is using a session and whether the app may serve at all (the policy itself:
analysis.access): roles.toml (e-mail and group -> role), the [auth] sign-in settings, and
the address the server binds to. Pure, no Streamlit.

Deployment: without sign-in settings the app serves only this machine (127.0.0.1,
localhost, ::1), where the local user is the admin (today's `make run`). Any other address
needs the [auth] settings, or PSP_PUBLIC_AGGREGATES=1, which serves everyone as a viewer
without sign-in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.access import Principal, Role, RolesError

LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
LOCAL_ADMIN = Principal("local", Role.ADMIN)
PUBLIC_VIEWER = Principal("public", Role.VIEWER)


@dataclass(frozen=True)
class RoleMap:
    """roles.toml: e-mail -> role, group -> role, the default for other signed-in users,
    and the suppression threshold. E-mails and groups compare case-insensitively."""

    users: Mapping[str, Role] = field(default_factory=dict)
    groups: Mapping[str, Role] = field(default_factory=dict)
    default: Role = Role.NONE

    def role_for(self, email: str | None, groups: Iterable[str] = ()) -> Role:
        """The highest role any of the user's e-mail or groups grants, else the default."""
        found = [self.users[email.strip().lower()]] if email and email.strip().lower() in self.users else []
        found += [self.groups[g.strip().lower()] for g in groups if g.strip().lower() in self.groups]
        return max(found) if found else self.default


def parse_roles(text: str, where: str = "roles.toml") -> RoleMap:
    """Parse roles.toml (see roles.example.toml): `default = "none"`, `[users]` and `[groups]`
    tables of name = role."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RolesError(f"{where} is not valid TOML: {exc}") from None
    unknown = set(data) - {"default", "users", "groups"}
    if unknown:
        raise RolesError(f"{where}: unknown keys {sorted(unknown)} (default, [users], [groups])")

    def table(name: str) -> dict[str, Role]:
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            raise RolesError(f"{where}: [{name}] must be a table of name = role")
        return {str(k).strip().lower(): Role.parse(v, f"{where} [{name}] {k}") for k, v in raw.items()}

    return RoleMap(table("users"), table("groups"), Role.parse(data.get("default", "none"), where))


def load_roles(path: Path) -> RoleMap:
    """roles.toml at `path`; a missing file grants nobody anything (default none)."""
    if not path.exists():
        return RoleMap()
    return parse_roles(path.read_text(encoding="utf-8"), str(path))


def auth_provider(auth: Mapping[str, Any] | None) -> str | None:
    """The provider name for st.login when the [auth] settings are complete: "" for the
    default provider (keys directly in [auth]), else the first [auth.NAME] table that has
    every key; None when sign-in is not configured."""
    if not auth or any(not auth.get(k) for k in AUTH_KEYS):
        return None
    if all(auth.get(k) for k in PROVIDER_KEYS):
        return ""
    for name, table in auth.items():
        if isinstance(table, Mapping) and all(table.get(k) for k in PROVIDER_KEYS):
            return str(name)
    return None


def serving_problem(address: str | None, auth: Mapping[str, Any] | None, public: bool) -> str | None:
    """Why the app must not serve on `address` with these settings, or None when it may."""
    if public or auth_provider(auth) is not None or (address or "") in LOCAL_ADDRESSES:
        return None
    where = address or "every address (server.address is not set)"
    return (
        f"Refusing to serve on {where} without sign-in: anyone on the network could read "
        "incident records. Add an [auth] section to .streamlit/secrets.toml (redirect_uri, "
        "cookie_secret, client_id, client_secret, server_metadata_url; see 'Shared deployment' "
        "in the README), or set PSP_PUBLIC_AGGREGATES=1 to serve aggregates only to everyone, "
        "or bind to 127.0.0.1 (--server.address 127.0.0.1)."
    )


def principal_for(
    *,
    public: bool,
    auth_configured: bool,
    email: str | None,
    groups: Iterable[str],
    roles: RoleMap,
) -> Principal | None:
    """The session's principal; None when sign-in is configured and nobody has signed in."""
    if public:
        return PUBLIC_VIEWER
    if not auth_configured:
        return LOCAL_ADMIN  # only reached on a local address: serving_problem stops the rest
    if not email:
        return None
    groups = tuple(groups)
    return Principal(email.strip().lower(), roles.role_for(email, groups), True, groups)
