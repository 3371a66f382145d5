"""Month arithmetic, once. A month is named by any day in it; results are first days.

`month_index` numbers months so that consecutive months differ by one (Dec 2023 -> Jan
2024 is +1), which is what spans, offsets and runs of consecutive months need.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of the month of `day` (29 Feb in a leap year)."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def month_index(day: date) -> int:
    """Months since January of year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def add_months(day: date, n: int) -> date:
    """The first day of the month `n` months after the month of `day` (n may be negative)."""
    index = month_index(day) + n
    return date(index // 12, index % 12 + 1, 1)


def months_spanned(first: date, last: date) -> int:
    """How many months from the month of `first` to the month of `last`, both counted
    (Jan..Dec = 12; the same month = 1; `last` before `first` gives 0 or less)."""
    return month_index(last) - month_index(first) + 1


def month_indexes(months: Any) -> npt.NDArray[np.int64]:
    """`month_index` of every value of a Series, Index or array of dates/timestamps."""
    stamps = pd.DatetimeIndex(pd.to_datetime(months))
    years: npt.NDArray[np.int64] = np.asarray(stamps.year, dtype="int64")
    numbers: npt.NDArray[np.int64] = np.asarray(stamps.month, dtype="int64")
    return years * 12 + numbers - 1
