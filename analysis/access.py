"""Who may see and do what: the access policy, pure (no Streamlit), in one place.

Design decisions:
- Three roles, each a superset of the one before: viewer < analyst < admin. A signed-in
  user not listed in roles.toml gets the file's `default` role, "none" unless the file says
  otherwise: a department's identity provider knows many people who should not see crime
  records, so access is granted, never assumed.
- The policy is enforced where data leaves the store, not by hiding widgets: every cached
  analysis call goes through `guard()` (ui/data.query), which refuses the incident-level
  functions (`NEEDS`) to a role without the capability and suppresses small counts
  (`SUPPRESS`) for a role that may not see them. Writes and exports call `require()`.
- Suppression (viewer): a map cell, hot-spot cell or district figure of the incident
  layers with fewer than k offenses (k = PSP_SUPPRESS_K, default 5) is not shown: cells
  are dropped, district counts become empty (NA) with their changes. Zero stays zero (an
  absence reveals no one).
- Who a session is (roles.toml, sign-in) and where the app may serve:
  analysis.deployment.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

DEFAULT_K = 5


class Role(enum.IntEnum):
    """Ordered: a role may do everything the roles below it may."""

    NONE = 0
    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str, where: str = "roles.toml") -> Role:
        try:
            return cls[str(text).strip().upper()]
        except KeyError:
            allowed = ", ".join(r.label for r in cls)
            raise RolesError(f"{where}: unknown role {text!r} (one of {allowed})") from None


class Capability(enum.Enum):
    """What a role may do; `MIN_ROLE` says the least role that has it."""

    AGGREGATES = "see aggregate pages"
    SMALL_COUNTS = "see map cells and district figures under the suppression threshold"
    INCIDENTS = "see incident rows (the incident table)"
    POINTS = "see offenses as points on the map"
    EXPORT = "download files (CSV, meeting packs)"
    IMPORT = "import and upload data"
    EDIT = "add, change or remove goals and interventions"
    AUDIT = "read and export the audit trail"


MIN_ROLE: dict[Capability, Role] = {
    Capability.AGGREGATES: Role.VIEWER,
    Capability.SMALL_COUNTS: Role.ANALYST,
    Capability.INCIDENTS: Role.ANALYST,
    Capability.POINTS: Role.ANALYST,
    Capability.EXPORT: Role.ANALYST,
    Capability.IMPORT: Role.ADMIN,
    Capability.EDIT: Role.ADMIN,
    Capability.AUDIT: Role.ADMIN,
}


class AccessDenied(PermissionError):
    """A role asked for something it may not do (raised in the code path, not the widget)."""

    def __init__(self, role: Role, capability: Capability) -> None:
        self.role, self.capability = role, capability
        super().__init__(
            f"Not allowed: your role ({role.label}) may not {capability.value}; "
            f"that needs the {MIN_ROLE[capability].label} role."
        )


class RolesError(ValueError):
    """roles.toml is malformed."""


def allows(role: Role, capability: Capability) -> bool:
    return role >= MIN_ROLE[capability]


def require(role: Role, capability: Capability) -> None:
    """Raise AccessDenied unless `role` has `capability`."""
    if not allows(role, capability):
        raise AccessDenied(role, capability)


@dataclass(frozen=True)
class Principal:
    """Who is using this session: `who` is the e-mail, or 'local' / 'public' without sign-in."""

    who: str
    role: Role
    signed_in: bool = False
    groups: tuple[str, ...] = ()

    def allows(self, capability: Capability) -> bool:
        return allows(self.role, capability)


# --- the guard on every analysis call -------------------------------------------------

# Functions that return incident-level data, and the capability each needs.
NEEDS: dict[str, Capability] = {
    "analysis.query.profile.incident_page": Capability.INCIDENTS,
    "analysis.query.profile.incident_rows": Capability.INCIDENTS,
    "analysis.geo.points.points": Capability.POINTS,
}


def suppress_counts(
    frame: pd.DataFrame, columns: Iterable[str], k: int, also: Iterable[str] = ()
) -> pd.DataFrame:
    """Rows where any of `columns` is in 1..k-1 get those counts and the derived `also`
    columns emptied (NA). Zero stays zero: an absence identifies no one."""
    columns = [c for c in columns if c in frame.columns]
    if frame.empty or not columns:
        return frame
    small = pd.Series(False, index=frame.index)
    for c in columns:
        values = pd.to_numeric(frame[c], errors="coerce")
        small |= (values > 0) & (values < k)
    if not small.any():
        return frame
    out = frame.copy()
    for c in [*columns, *(a for a in also if a in frame.columns)]:
        if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype("Float64")
        else:
            out[c] = out[c].astype("object")
        out.loc[small, c] = pd.NA
    return out


def drop_small(frame: pd.DataFrame, column: str, k: int) -> pd.DataFrame:
    """Rows with `column` < k removed (cells: an undrawn cell reveals nothing)."""
    if frame.empty or column not in frame.columns:
        return frame
    return frame[frame[column] >= k].reset_index(drop=True)


def _cell_map(result: Any, k: int) -> Any:
    kept = drop_small(result.cells, "n", k)
    shown = int(kept["n"].sum()) if len(kept) else 0
    return replace(
        result, cells=kept, hidden=int(result.cells["n"].sum()) - shown if len(result.cells) else 0
    )


def _district_changes(result: pd.DataFrame, k: int) -> pd.DataFrame:
    out = suppress_counts(
        result, ("current", "previous"), k, also=("diff", "pct", "change", "z", "judgement", "direction")
    )
    if out is not result:  # the city's total is no small cell: keep it exact (profile.total_change)
        out.attrs["totals"] = (int(result["current"].sum()), int(result["previous"].sum()))
    return out


def _hotspots(result: pd.DataFrame, k: int) -> pd.DataFrame:
    kept = drop_small(result, "current", k)
    kept = suppress_counts(kept, ("previous",), k, also=("change", "z", "judgement", "direction"))
    if "trend" in kept.columns:
        kept = kept.assign(trend=[[m if m >= k or m == 0 else None for m in t] for t in kept["trend"]])
    return kept


def _slide(result: Any, k: int) -> Any:
    # A briefing's hot-spot slide draws every cell of the Map, small ones included, as a
    # static figure: a role without SMALL_COUNTS gets the slide's words, not its map.
    if not str(getattr(result, "key", "")).startswith("hotspots_"):
        return result
    return replace(
        result,
        figure=None,
        data=None,
        table=None,
        bullets=(),
        notes="",
        message=f"The hot-spot map is shown to analysts (it draws cells of fewer than {k} offenses).",
    )


SUPPRESS: dict[str, Callable[[Any, int], Any]] = {
    "analysis.geo.cells.map_cells": _cell_map,
    "analysis.geo.cells.counts_by_cell": _cell_map,
    "analysis.geo.districts.counts_by_district": lambda r, k: suppress_counts(r, ("n",), k),
    "analysis.pages.map.cell_map_data": lambda r, k: replace(
        r, cells=_cell_map(r.cells, k), district_counts=suppress_counts(r.district_counts, ("n",), k)
    ),
    "analysis.query.profile.district_changes": _district_changes,
    "analysis.query.profile.hotspot_cells": _hotspots,
    "analysis.pages.city.city_data": lambda r, k: replace(
        r, districts=_district_changes(r.districts, k), hot=_hotspots(r.hot, k)
    ),
    "report.briefing.briefing_slide": _slide,
}


def guard(name: str, role: Role, result: Any, k: int = DEFAULT_K) -> Any:
    """The result of analysis function `name` as `role` may see it: AccessDenied for the
    incident-level functions it may not call, small counts suppressed without SMALL_COUNTS."""
    if name in NEEDS:
        require(role, NEEDS[name])
    require(role, Capability.AGGREGATES)
    if name in SUPPRESS and not allows(role, Capability.SMALL_COUNTS):
        return SUPPRESS[name](result, k)
    return result
