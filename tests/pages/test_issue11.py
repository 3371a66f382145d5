"""Issue 11 on the pages: the Dataset switch (URL, hostile values, never mixed), the
Presenter view on a store whose data fall in one calendar year, and Interventions
opened with the other pages' ?city=."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.importer import import_file
from ingest.registry import load_registry
from ingest.store import write_store


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


@pytest.fixture()
def datasets(
    tmp_path: Path, tiny_store_path: Path, demo_store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A data folder with a real store (public.duckdb: the tiny store) and the demo."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(tiny_store_path, folder / "public.duckdb")
    shutil.copyfile(demo_store_path, folder / "demo.duckdb")
    (folder / ".public.duckdb.123.build.tmp").write_bytes(b"")  # a build in progress: not listed
    monkeypatch.setenv("PSP_DATASETS", str(folder))
    return folder


def test_dataset_switch_lists_every_store_and_defaults_to_psp_db(
    app: Callable[..., AppTest], datasets: Path
) -> None:
    at = app(datasets / "public.duckdb", page="views/data.py")
    assert not at.exception
    switch = at.selectbox(key="dataset")
    assert switch.options == ["Public data (real, 12 cities)", "Demo (synthetic)"]
    assert switch.value == "public"
    assert "DEMO DATA" not in warnings(at)
    assert at.query_params["dataset"] in ("public", ["public"])
    # Switching to the demo: the page now reads the demo store only, and the URL says so.
    switch.select("demo").run()
    assert not at.exception
    assert "DEMO DATA" in warnings(at)
    assert at.query_params["dataset"] in ("demo", ["demo"])


def test_link_reopens_the_chosen_dataset(app: Callable[..., AppTest], datasets: Path) -> None:
    at = app(datasets / "public.duckdb", page="views/trends.py", query={"dataset": "demo"})
    assert not at.exception
    assert at.selectbox(key="dataset").value == "demo"
    assert "DEMO DATA" in warnings(at)


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "/tmp/x.duckdb", "<script>", "public.duckdb"])
def test_hostile_dataset_values_are_ignored(
    app: Callable[..., AppTest], datasets: Path, hostile: str
) -> None:
    at = app(datasets / "public.duckdb", page="views/overview.py", query={"dataset": hostile})
    assert not at.exception
    assert "unknown dataset" in warnings(at)
    assert at.selectbox(key="dataset").value == "public"
    assert "DEMO DATA" not in warnings(at)


@pytest.fixture()
def one_year_store(tmp_path: Path) -> Path:
    """Real-shaped data (the generic example) all in 2024."""
    path = tmp_path / "one_year.duckdb"
    with write_store(path) as con:
        load_registry(con)
    import_file(path, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)
    return path


def test_presenter_when_the_data_fall_in_one_year(app: Callable[..., AppTest], one_year_store: Path) -> None:
    at = app(one_year_store, page="views/presenter.py")
    assert not at.exception
    year = at.number_input(key="p_year")
    assert year.value == 2024 and year.min == 2024 and year.max == 2024


def test_interventions_open_the_city_of_the_link(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page="views/interventions.py", query={"city": "kansas_city_mo"})
    assert not at.exception
    assert at.selectbox(key="its_city").value == "kansas_city_mo"
    assert at.query_params["its_city"] in ("kansas_city_mo", ["kansas_city_mo"])
    bad = app(demo_store_path, page="views/interventions.py", query={"city": "atlantis"})
    assert not bad.exception
    assert "unknown city" in warnings(bad)


def test_data_page_shows_what_each_source_is(app: Callable[..., AppTest], one_year_store: Path) -> None:
    at = app(one_year_store, page="views/data.py")
    assert not at.exception
    assert "What each source is" in [h.value for h in at.subheader]
    frames = [d.value for d in at.dataframe]
    described = next(f for f in frames if "publisher" in f.columns)
    assert described["title"].tolist() == ["Example PD records-system export"]
    assert described["publisher"].tolist() == ["Example Police Department"]


def test_readme_explains_both_outside_the_city_reasons() -> None:
    """The README names the two quarantine reasons exactly as the importer writes them."""
    from tests.conftest import ROOT

    code = (ROOT / "ingest" / "incidents" / "locate.py").read_text()
    readme = " ".join((ROOT / "README.md").read_text().split())
    for reason in ("coordinates outside the city", "coordinates outside the city boundary"):
        assert f"'{reason}'" in code
        assert f"*{reason}*" in readme
