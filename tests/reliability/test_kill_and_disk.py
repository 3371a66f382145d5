"""Kill -9 mid-import and a full disk, scaled down from `python -m bench.reliability`
(same code; the bench runs 1M rows and 10 kills)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.reliability import disk, kill


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_kill_9_mid_import_leaves_the_store_whole_and_the_next_import_works(tmp_path: Path) -> None:
    result = kill.run(tmp_path, rows=20_000, kills=3, seed=14)
    print(kill.describe(result))
    assert len(result["kills"]) == 3
    for k in result["kills"]:
        assert k["outcome"] in ("untouched", "complete"), k
        assert k["next_import_rc"] == 0 and k["next_import_rows"] == 20_000, k
        assert k["left_after_next"] == [], f"the next import did not clear a killed writer's copy: {k}"
    assert result["failures"] == 0
    # The kills land while the store is being written (a copy of it exists), not only before.
    assert any(k["left_after_kill"] for k in result["kills"]) or result["complete"] == 3


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_full_disk_gives_one_clear_message_and_an_untouched_store(tmp_path: Path) -> None:
    result = disk.run(tmp_path, rows=50_000, tmpfs=False)
    print(disk.describe(result))
    assert len(result["cases"]) == 2
    for case in result["cases"]:
        assert case["rc"] == 2 and not case["traceback"], case
        assert len(case["messages"]) == 1 and disk.CLEAR in case["messages"][0], case
        assert case["untouched"] and case["left"] == [], case
    assert result["failures"] == 0
