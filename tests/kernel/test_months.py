"""Month arithmetic (kernel/months.py), with answers counted on a calendar."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from kernel.months import add_months, month_end, month_index, month_indexes, month_start, months_spanned


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2024, 2, 10), date(2024, 2, 29)),  # leap year
        (date(2023, 2, 1), date(2023, 2, 28)),
        (date(1900, 2, 1), date(1900, 2, 28)),  # divisible by 100, not by 400: no leap day
        (date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: leap day
        (date(2023, 12, 31), date(2023, 12, 31)),
        (date(2024, 4, 15), date(2024, 4, 30)),
    ],
)
def test_month_end(day: date, last: date) -> None:
    assert month_end(day) == last


def test_month_start() -> None:
    assert month_start(date(2024, 2, 29)) == date(2024, 2, 1)
    assert month_start(date(2024, 2, 1)) == date(2024, 2, 1)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2024, 1, 1), -1, date(2023, 12, 1)),  # back across a year boundary
        (date(2023, 12, 1), 1, date(2024, 1, 1)),  # forward across one
        (date(2024, 11, 1), 3, date(2025, 2, 1)),
        (date(2024, 5, 1), -12, date(2023, 5, 1)),
        (date(2024, 1, 1), -11, date(2023, 2, 1)),
        (date(2024, 1, 31), 1, date(2024, 2, 1)),  # any day names its month; results are first days
        (date(2024, 3, 15), -25, date(2022, 2, 1)),
        (date(2024, 3, 15), 0, date(2024, 3, 1)),
    ],
)
def test_add_months(day: date, n: int, expected: date) -> None:
    assert add_months(day, n) == expected


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (date(2023, 1, 1), date(2023, 12, 31), 12),
        (date(2023, 1, 20), date(2023, 1, 3), 1),  # the same month, whatever the days
        (date(2023, 11, 1), date(2024, 2, 1), 4),  # Nov, Dec, Jan, Feb
        (date(2017, 6, 20), date(2019, 12, 18), 31),  # 7 + 12 + 12
        (date(2024, 3, 1), date(2024, 2, 1), 0),  # last before first
    ],
)
def test_months_spanned(first: date, last: date, months: int) -> None:
    assert months_spanned(first, last) == months


def test_month_index_steps_by_one_across_a_year() -> None:
    assert month_index(date(2024, 1, 1)) - month_index(date(2023, 12, 31)) == 1
    assert month_index(date(2024, 1, 1)) == 2024 * 12  # January of year 0 is 0


def test_month_indexes_of_a_series() -> None:
    months = pd.Series(pd.to_datetime(["2023-11-01", "2023-12-01", "2024-01-01", "2024-03-01"]))
    got = month_indexes(months) - month_index(date(2023, 11, 1))
    np.testing.assert_array_equal(got, [0, 1, 2, 4])
    assert [month_index(d.date()) for d in months] == list(month_indexes(months))
