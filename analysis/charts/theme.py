"""The look of every figure, in one place: colours, type sizes and layout defaults.

Colours: cities get the CARTO "Safe" qualitative palette (designed to stay
distinguishable with colour-vision deficiencies) extended by a neutral grey, so 12 cities
get 12 colours; the roles within a chart (latest / earlier, expected / target, coverage
states) use the Okabe-Ito colour-blind-safe set; counts on maps use viridis classes
(light = few, dark = many). Every line is also named in the legend and the hover, never
told apart by colour alone.
"""

from __future__ import annotations

from plotly.colors import qualitative

# Cities (analysis.charts.figure.city_colours).
PALETTE: list[str] = list(qualitative.Safe) + ["#4D4D4D"]

# Okabe-Ito roles.
BLACK = "#000000"
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
BAND = "rgba(86, 180, 233, 0.25)"  # sky blue, translucent: an interval around a path

# Neutrals and the alert colour.
INK = "#222222"  # reference lines (a pooled rate, an index's baseline)
DARK_GREY = "#555555"  # interventions, limits, projections
MID_GREY = "#999999"  # a no-change baseline
GREY = "#9E9E9E"  # earlier years, the comparison period
LIGHT_GREY = "#D9D9D9"  # no data
NOTE_GREY = "#595959"  # small print on a chart or a page
TEXT_GREY = "#333333"
ALERT_RED = "#B00020"  # series breaks, the demo warning

# Viridis in five classes, light = few (static maps).
VIRIDIS_CLASSES = ("#FDE725", "#5DC863", "#21908C", "#3B528B", "#440154")

# Type sizes: the app's charts, notes on a chart, and exported slides (report.images).
FONT_SIZE = 14
NOTE_SIZE = 12
SLIDE_FONT_SIZE = 20
SLIDE_LEGEND_SIZE = 16

HEIGHT = 460  # a time-series chart


def margin(top: int = 40) -> dict[str, int]:
    """The margins every chart uses: tight sides, `top` room for a title or legend."""
    return {"l": 10, "r": 10, "t": top, "b": 10}


def font(size: int = FONT_SIZE) -> dict[str, int]:
    return {"size": size}


def legend_below(y: float = -0.12) -> dict[str, object]:
    """A horizontal legend under the plot (time series: the x axis needs no title)."""
    return {"orientation": "h", "yanchor": "top", "y": y}


def base_layout(top: int = 40, legend_y: float = -0.12, height: int = HEIGHT) -> dict[str, object]:
    """Margins, legend below, type size and height of a time-series chart."""
    return {"margin": margin(top), "legend": legend_below(legend_y), "font": font(), "height": height}
