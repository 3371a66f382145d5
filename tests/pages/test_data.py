"""The Data page: coverage heat map, sources, import log, quarantine, upload box."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.plotly_json import values


def test_demo_store_coverage(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page="views/data.py")
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    assert "12 cities have data; the last month complete for all of them is December 2025" in text
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert len(heat["y"]) == 12
    # Every demo city-month is complete incident data (state 3).
    assert set(values(heat, "z")) == {3} or all(set(row) == {3} for row in heat["z"])
    assert [b.label for b in at.get("form_submit_button")] == ["Import"]


def test_tiny_store_import_log_and_partial_month(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, page="views/data.py", query={"city": "';DROP TABLE incidents;--"})
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    # Memphis and Springfield; the fixture source runs to 2024-03-04, so Feb 2024 is the last complete month.
    assert "2 cities have data; the last month complete for all of them is February 2024" in text
    # Months inside the spans with no data: Springfield Jan 2023-Mar 2024 has 15 months,
    # 3 with data (12 empty); Memphis Jan 2023-Feb 2024 has 14, 4 with data (10 empty).
    assert "22 city-months inside their spans have no data at all" in text
    log = next(d.value for d in at.dataframe if "rows_accepted" in d.value.columns)  # the import log
    assert list(log["source"]) == ["fixture"] and int(log["rows_accepted"].iloc[0]) == 26


def test_agreement_table_and_official_sources(app: Callable[..., AppTest], mixed_store_path: Path) -> None:
    """Two qualifying sources for one city, month and offense: both counts, the % difference,
    flagged over 5% and 5 offenses; the official source of every city by years."""
    import duckdb

    from ingest.store import finish_import, start_import, write_store

    path = mixed_store_path.with_name("agree.duckdb")
    path.write_bytes(mixed_store_path.read_bytes())
    with write_store(path) as con:
        import_id = start_import(con, "rtci", "monthly_counts", "test", coverage="city")
        # Houston's violent crime, Jan-Feb 2023: RTCI 110 + 95 against the published 100 + 90.
        con.executemany(
            "insert into monthly_counts (city_id, month, offense, count, source) values ('houston_tx', ?, 'violent_crime', ?, 'rtci')",
            [["2023-01-01", 110], ["2023-02-01", 95]],
        )
        finish_import(con, import_id, rows_read=2, rows_accepted=2)
    at = app(path, page="views/data.py")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**1 of 1** differ by more than 5% and more than 5 offenses (flagged ⚑, listed first)" in text
    table = next(d.value for d in at.dataframe if "% difference" in d.value.columns)
    row = table.iloc[0]
    # RTCI ranks above other published counts: it is official, the publisher's count the other.
    assert (row["official source"], row["official count"], row["other source"], row["other count"]) == (
        "rtci", 205, "published", 190,
    )  # fmt: skip
    assert (row["difference"], row["% difference"], row["flag"]) == (-15, -7.3, "⚑")
    sources = next(d.value for d in at.dataframe if "source(s)" in d.value.columns)
    assert "published + rtci" in set(sources["source(s)"])  # 2023: most counts from published
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute(
        "select count(*) from official_monthly where city_id = 'houston_tx' and source = 'rtci'"
    ).fetchone() == (2,)
    con.close()
