"""The counts mapping's generic rules on small hand-made files: duplicated months
([counts.duplicates]), not-reported months ([counts.not_reported]), flags and the
agency population."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.errors import MappingError
from ingest.importer import import_file
from ingest.mapping.load import load_mapping

MAPPING = """
[source]
name = "tiny_counts"
kind = "monthly_counts"

[city]
id = "springfield_il"

[counts]
layout = "wide"
population = "pop"
flag_column = "card"
[counts.flag_values]
adj = "adjustment"
[counts.month]
column = "month"
format = "%Y-%m-%d"
[counts.columns]
murder = "murder"
robbery = "robbery"
theft = "theft"
{extra}
"""

CSV = """month,pop,card,murder,robbery,theft,clr
2020-01-01,100,,1,5,40,3
2020-01-01,100,,2,6,41,9
2020-02-01,100,adj,3,7,42,8
2020-02-01,100,adj,4,8,43,1
2020-03-01,,,,,,
2020-04-01,100,,0,0,0,
2020-05-01,100,,0,3,0,
2020-07-01,101,,1,1,50,
"""


def run(store: Path, tmp_path: Path, extra: str) -> duckdb.DuckDBPyConnection:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.format(extra=extra))
    data = tmp_path / "c.csv"
    data.write_text(CSV)
    import_file(store, "generic", data, mapping=mapping)
    return duckdb.connect(str(store), read_only=True)


def murders(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    rows = con.execute(
        "select strftime(month, '%Y-%m'), count from monthly_counts where offense = 'murder' order by 1"
    ).fetchall()
    return {m: c for m, c in rows}


@pytest.mark.parametrize(
    ("rule", "jan", "feb"),
    [
        ('keep = "first"', 1, 3),
        ('keep = "last"', 2, 4),
        ('keep = "highest"\ncompare = "clr"', 2, 3),  # per month: Jan 9 > 3, Feb 8 > 1
        ('keep = "lowest"\ncompare = "clr"', 1, 4),
        ('keep = "highest"\ncompare = "clr"\nper = "year"', 1, 3),  # one copy for the year: 3 + 8 > 9 + 1
    ],
)
def test_duplicate_rules(store: Path, tmp_path: Path, rule: str, jan: int, feb: int) -> None:
    con = run(store, tmp_path, f"[counts.duplicates]\n{rule}\n")
    got = murders(con)
    assert (got["2020-01"], got["2020-02"]) == (jan, feb)
    other = con.execute(
        "select strftime(month, '%Y-%m'), count from superseded_counts where offense = 'murder' order by 1"
    ).fetchall()
    con.close()
    # The copy not kept is queryable; nothing is ever summed.
    assert [c for _, c in other] == [3 - jan, 7 - feb]


def test_without_a_rule_a_repeated_month_is_a_duplicate_row(store: Path, tmp_path: Path) -> None:
    con = run(store, tmp_path, "")
    got = murders(con)
    con.close()
    assert (got["2020-01"], got["2020-02"]) == (1, 3)
    assert got["2020-04"] == 0  # without a not-reported rule a row of zeros is taken at its word


def test_not_reported_months_are_gaps(store: Path, tmp_path: Path) -> None:
    con = run(
        store,
        tmp_path,
        '[counts.not_reported]\nblank = true\nall_zero = true\nzero_is_missing = ["theft"]\n',
    )
    got = murders(con)
    months = dict(
        con.execute("select strftime(month, '%Y-%m'), status from source_months order by 1").fetchall()
    )
    may_theft = con.execute(
        "select count(*) from monthly_counts where month = '2020-05-01' and offense = 'theft'"
    ).fetchone()
    flags = con.execute("select distinct flag from monthly_counts where month = '2020-02-01'").fetchall()
    pops = con.execute("select year, population from agency_population").fetchall()
    con.close()
    assert "2020-03" not in got and "2020-04" not in got  # blank, all zero: no figure, never 0
    assert got["2020-05"] == 0  # a 0 murder is a real 0
    assert may_theft == (0,)  # a 0 theft is read as not reported
    assert months == {
        "2020-01": "reported",
        "2020-02": "reported",
        "2020-03": "not reported",
        "2020-04": "not reported",
        "2020-05": "reported",
        "2020-06": "not in file",
        "2020-07": "reported",
    }
    assert flags == [("adjustment",)]
    assert pops == [(2020, 100)]


def test_mapping_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(MAPPING.format(extra='[counts.duplicates]\nkeep = "lowest"\n'))
    with pytest.raises(MappingError, match="compare"):
        load_mapping(bad)
    bad.write_text(MAPPING.format(extra='[counts.not_reported]\nzero_is_missing = ["arson"]\n'))
    with pytest.raises(MappingError, match="zero_is_missing"):
        load_mapping(bad)
    bad.write_text(MAPPING.format(extra='[counts.duplicates]\nkeep = "sum"\n'))
    with pytest.raises(MappingError, match="keep"):
        load_mapping(bad)
