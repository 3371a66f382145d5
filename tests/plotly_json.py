"""Read values out of a Plotly figure's JSON (plotly 7 encodes arrays as typed base64)."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np


def values(trace: dict[str, Any], key: str) -> list[Any]:
    raw = trace[key]
    if isinstance(raw, dict) and "bdata" in raw:
        return np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"])).tolist()
    return list(raw)
