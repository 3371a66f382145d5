"""Figure -> PNG with kaleido and Debian's chromium, with a clear error instead of a hang."""

from __future__ import annotations

import contextlib
import os
import shutil
import warnings
from collections.abc import Iterator

import kaleido
import plotly.graph_objects as go

from analysis.charts.theme import SLIDE_FONT_SIZE, SLIDE_LEGEND_SIZE
from kernel.settings import SETTINGS

WIDTH, HEIGHT = 1600, 800
TIMEOUT_S = 60


class ChromiumMissing(RuntimeError):
    """Chart images need a Chromium binary and none was found."""


def chromium_path() -> str:
    """The browser kaleido will use: $BROWSER_PATH or chromium on PATH."""
    path = SETTINGS["BROWSER_PATH"].given() or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    if not path:
        raise ChromiumMissing(
            "Chart images need Chromium, which was not found. On Debian/Ubuntu install it with "
            "`sudo apt-get install chromium` (or set BROWSER_PATH to a Chrome/Chromium binary)."
        )
    return path


@contextlib.contextmanager
def image_server() -> Iterator[None]:
    """Keep one kaleido browser running for a batch of images."""
    os.environ.setdefault("BROWSER_PATH", chromium_path())  # kaleido reads it from the environment
    kaleido.start_sync_server(silence_warnings=True, timeout=TIMEOUT_S)
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def figure_png(fig: go.Figure, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A PNG of `fig` as drawn in the app (same figure object), at slide resolution."""
    chromium_path()
    # The same figure, restyled for a projector: white background and larger type.
    fig = go.Figure(fig)
    fig.update_layout(
        template="plotly_white", font={"size": SLIDE_FONT_SIZE}, legend={"font": {"size": SLIDE_LEGEND_SIZE}}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kopts ignored when using a server"
        png: bytes = fig.to_image(format="png", width=width, height=height, scale=1)
    return png
