"""SQL text rules that ruff cannot see: no SQL built with str.format (S608 misses it), and
every .sql file beside a module is used by it and binds on a real store (EXPLAIN)."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analysis.query import sqlfile
from analysis.series.official import INCIDENT_ORDER
from analysis.series.periods import COVERAGE_CTE

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("analysis", "report")
SQL_WORDS = re.compile(r"\b(select|where|from|join|insert|update|delete)\b", re.IGNORECASE)
SQL_FILES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.sql"))
PARAM = re.compile(r"\$([A-Za-z_]\w*)")

# A sample for every slot and named parameter the .sql files use (a new name fails below
# until it is given one here).
SLOTS: dict[str, str] = {
    "coverage": COVERAGE_CTE,
    "where": "true",
    "where_any": "true",
    "where_weapon": "true",
    "where_counts": "true",
    "counts_table": "monthly_code_counts",
    "period": "d.month",
    "order": INCIDENT_ORDER,
    "step": "1 month",
    "first_period": "lo",
    "last_period": "hi",
    "parent": "h3_r9",
    "where_months": "true",
    "where_codes": "true",
    "table": "daily_counts",
    "source_kinds": sqlfile.load("analysis.sources", "source_kinds.sql"),
    "years": "true",
    "months": "true",
    "later_months": "false",
}
PARAMS: dict[str, object] = {
    "cov_city": ["memphis_tn"],
    "cov_source": ["fixture"],
    "cov_kind": ["incidents"],
    "cov_first": [date(2023, 1, 1)],
    "cov_last": [date(2024, 2, 1)],
    "cities": ["memphis_tn"],
    "offenses": ["violent_crime"],
    "totals": ["violent_crime"],
    "start": date(2023, 1, 1),
    "end": date(2024, 2, 29),
    "firearm_only": True,
    "known_share": 0.5,
    "rate_base": 100_000,
    "chosen_cities": ["memphis_tn"],
    "chosen_sources": ["fixture"],
    "offense": "firearm_violent_crime",
    "window_start": date(2024, 1, 1),
    "prior_end": date(2023, 2, 28),
    "top": 10,
    "trend_first": date(2023, 1, 1),
    "trend_last": date(2024, 2, 29),
    "limit": 100,
    "offset": 0,
    "decimals": 3,
    "firearm": False,
    "city": "memphis_tn",
    "kind": "zcta",
    "category": "robbery",
    "prior_start": date(2022, 1, 1),
}


# Modules that still splice a CrimeFilter clause into a module-level template with
# .format(): none (every such query is a .sql file rendered by sqlfile.render).
NOT_YET_CONVERTED: dict[str, int] = {}


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "..." strings."""
    out: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            out.update({t.id: node.value.value for t in node.targets if isinstance(t, ast.Name)})
    return out


def test_no_sql_is_built_with_format() -> None:
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
            ):
                continue
            receiver = node.func.value
            text = ""
            if isinstance(receiver, ast.Constant) and isinstance(receiver.value, str):
                text = receiver.value
            elif isinstance(receiver, ast.Name):
                text = constants.get(receiver.id, "")
                if receiver.id.endswith(("SQL", "_CTE")):
                    text = text or "select"
            if SQL_WORDS.search(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    counts: dict[str, int] = {}
    for place in found:
        counts[place.split(":")[0]] = counts.get(place.split(":")[0], 0) + 1
    assert counts == NOT_YET_CONVERTED, (
        f"SQL built with .format() (use a .sql file and sqlfile.render): {found}"
    )


def test_the_format_rule_catches_a_format_call(tmp_path: Path) -> None:
    # the scan above on a module that does it: a rule that cannot fail proves nothing
    bad = 'Q = "select * from t where {where}"\nsql = Q.format(where="true")\n'
    tree = ast.parse(bad)
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert isinstance(call.func, ast.Attribute) and call.func.attr == "format"
    assert SQL_WORDS.search(_string_constants(tree)["Q"])


def test_there_are_sql_files() -> None:
    assert {p.name for p in SQL_FILES} >= {"incident_series.sql", "official_series.sql", "gap_breaks.sql"}


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sql_file_is_used_beside_its_module(path: Path) -> None:
    users = [m for m in path.parent.glob("*.py") if f'"{path.name}"' in m.read_text(encoding="utf-8")]
    assert users, f"{path.relative_to(ROOT)} is loaded by no module in its package"


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sql_file_explains_on_a_store(path: Path, tiny_geo: duckdb.DuckDBPyConnection) -> None:
    package = ".".join(path.parent.relative_to(ROOT).parts)
    slots = sqlfile.slots(package, path.name)
    assert slots <= SLOTS.keys(), f"give the test a sample for slots {slots - SLOTS.keys()}"
    sql = sqlfile.render(package, path.name, **{k: sqlfile.Fragment(SLOTS[k]) for k in slots})
    names = set(PARAM.findall(sql))
    assert names <= PARAMS.keys(), f"give the test a sample for parameters {names - PARAMS.keys()}"
    plan = tiny_geo.execute("explain " + sql, {k: PARAMS[k] for k in names}).fetchall()
    assert plan
    # jaffle_shop shape: the query ends by selecting from `final`
    assert re.search(r"select \*( exclude \([^)]*\))? from final\b[^;]*$", sql.strip()), path.name


def test_render_refuses_a_missing_or_unknown_slot() -> None:
    with pytest.raises(ValueError, match="slots without a fragment"):
        sqlfile.render("analysis.sources", "gap_breaks.sql")
    with pytest.raises(ValueError, match="fragments without a slot"):
        sqlfile.render(
            "analysis.sources", "gap_breaks.sql", coverage=COVERAGE_CTE, extra=sqlfile.Fragment("x")
        )
