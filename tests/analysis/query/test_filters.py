"""CrimeFilter: the one renderer of WHERE clauses, positional (`?`) and named (`$name`)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analysis.query.filters import DAILY, INCIDENTS, MONTHLY, CrimeFilter


def test_filter_renders_parameters_not_values() -> None:
    hostile = "x'); drop table incidents; --"
    sql, params = CrimeFilter(cities=(hostile,), districts=("d",), firearm_only=True).where(DAILY, "d")
    assert hostile not in sql and [hostile] in params
    assert "d.district" in sql and "d.firearm" in sql
    with pytest.raises(ValueError):
        CrimeFilter(districts=("d",)).where(MONTHLY)
    with pytest.raises(ValueError):
        CrimeFilter(codes=("09A",)).where(MONTHLY)
    with pytest.raises(ValueError):
        CrimeFilter(offenses=("arson; drop",))
    with pytest.raises(ValueError):
        CrimeFilter(start=date(2024, 2, 1), end=date(2024, 1, 1))
    with pytest.raises(ValueError):
        CrimeFilter().where(DAILY, alias="d; drop")
    with pytest.raises(ValueError):
        CrimeFilter().bind(DAILY, prefix="f; drop")


def test_positional_and_named_forms_agree() -> None:
    filt = CrimeFilter(
        cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 1, 31), sources=("s",), codes=("09A",)
    )
    sql, params = filt.where(INCIDENTS, "i")
    assert sql == (
        "true and i.city_id in (select unnest(?::varchar[])) and i.occurred_at >= ?"
        " and i.occurred_at < ? + interval 1 day and i.source in (select unnest(?::varchar[]))"
        " and i.nibrs_code in (select nibrs_code from offenses where part1_offense in"
        " (select unnest(?::varchar[])) or offense_group || '_crime' in (select unnest(?::varchar[])))"
        " and i.nibrs_code in (select unnest(?::varchar[]))"
    )
    assert params == [
        ["memphis_tn"],
        date(2024, 1, 1),
        date(2024, 1, 31),
        ["s"],
        ["violent_crime"],
        ["violent_crime"],
        ["09A"],
    ]
    named, values = filt.bind(INCIDENTS, "i", prefix="a")
    assert named == sql.replace("?", "$a_{}").format(
        "cities", "start", "end", "sources", "offenses", "offenses", "codes"
    )
    assert values == {
        "a_cities": ["memphis_tn"],
        "a_start": date(2024, 1, 1),
        "a_end": date(2024, 1, 31),
        "a_sources": ["s"],
        "a_offenses": ["violent_crime"],
        "a_codes": ["09A"],
    }


def test_both_forms_select_the_same_rows(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = CrimeFilter(cities=("memphis_tn",), start=date(2023, 1, 1), end=date(2024, 2, 29), codes=("09A",))
    sql, params = filt.where(INCIDENTS)
    named, values = filt.bind(INCIDENTS, prefix="f")
    positional = tiny_geo.execute(
        f"select source_id from incidents where {sql} order by 1", params
    ).fetchall()
    by_name = tiny_geo.execute(f"select source_id from incidents where {named} order by 1", values).fetchall()
    # M1, M11, M12: the three murders of the fixture's window (tests/analysis/query/test_profile.py)
    assert positional == by_name == [("M1",), ("M11",), ("M12",)]


def test_firearm_violent_keeps_the_scope_and_narrows_the_offense() -> None:
    filt = CrimeFilter(
        cities=("memphis_tn",),
        offenses=("property_crime",),
        start=date(2024, 1, 1),
        districts=("North",),
        sources=("fixture",),
        codes=("220",),
    )
    assert filt.firearm_violent() == CrimeFilter(
        cities=("memphis_tn",),
        offenses=("violent_crime",),
        start=date(2024, 1, 1),
        districts=("North",),
        firearm_only=True,
        sources=("fixture",),
    )
