"""City profile figures carry exactly the numbers they are given, labelled in words."""

from __future__ import annotations

import json

import pandas as pd

from analysis.charts.city import hour_weekday_chart, offense_mix_chart
from tests.plotly_json import values


def test_hour_weekday_chart_puts_counts_in_their_slots() -> None:
    grid = pd.DataFrame(
        [(d, h, 0, 0) for d in range(1, 8) for h in range(24)],
        columns=["weekday", "hour", "n", "at_midnight"],
    )
    grid.loc[(grid["weekday"] == 6) & (grid["hour"] == 22), "n"] = 7  # Saturday 22:00
    grid.loc[(grid["weekday"] == 1) & (grid["hour"] == 0), "n"] = 2  # Monday 00:00
    fig = hour_weekday_chart(grid)
    trace = json.loads(fig.to_json())["data"][0]
    flat = values(trace, "z")  # a typed 7 x 24 array, row by row
    rows = [flat[i * 24 : (i + 1) * 24] for i in range(7)]
    assert rows[5][22] == 7 and rows[0][0] == 2 and sum(map(sum, rows)) == 9
    assert trace["y"][5] == "Saturday" and trace["x"][22] == "22"
    assert trace["text"][5][22] == "Saturday 22:00–22:59: 7 offenses"
    assert trace["colorscale"][0][0] == 0 and trace["reversescale"] is True


def test_offense_mix_chart_two_named_periods() -> None:
    mix = pd.DataFrame({"offense": ["Robbery", "Burglary"], "current": [5, 3], "previous": [4, 6]})
    fig = offense_mix_chart(mix, "Jan–Dec 2025", "Jan–Dec 2024")
    data = json.loads(fig.to_json())["data"]
    assert [t["name"] for t in data] == ["Jan–Dec 2024", "Jan–Dec 2025"]
    assert values(data[1], "x") == [3, 5] and list(data[1]["y"]) == ["Burglary", "Robbery"]  # largest on top
    assert values(data[0], "x") == [6, 4]
