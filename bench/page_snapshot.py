"""Every page's data, as a user would see it, written to one JSON file; or two such files compared.

    python bench/page_snapshot.py --db STORE --out snap.json      # run every page (AppTest)
    python bench/page_snapshot.py --compare before.json after.json

It drives dashboard.py with Streamlit's AppTest (no import of the project's modules), so the same
script runs on two versions of the code and proves a refactor changed nothing a user sees: every
table, chart (Plotly JSON), map (deck JSON), metric, text, caption and widget, per page and link.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Every page the navigation lists, in its order (read from dashboard.py, not copied).
PAGES = re.findall(r'st\.Page\(\s*"(views/[a-z_]+\.py)"', (ROOT / "dashboard.py").read_text())

LINKS: list[dict[str, Any]] = [
    {},
    {"city": "houston_tx"},
    {"city": ["memphis_tn", "houston_tx"], "offense": "robbery", "base": "2019"},
    {"measure": "count"},
    {"gran": "week"},
    {"city": "kansas_city_mo", "offense": "violent_crime"},
    {"city": "memphis_tn", "slide": "5", "year": "2024"},
]


def _value(node: Any) -> Any:
    kind = type(node).__name__
    proto = getattr(node, "proto", None)
    if kind == "Dataframe":
        frame = node.value
        return {"columns": [str(c) for c in frame.columns], "rows": frame.astype(str).values.tolist()}
    if kind in ("PlotlyChart",) or (proto is not None and hasattr(proto, "spec") and proto.spec):
        try:
            return json.loads(proto.spec)
        except Exception:  # noqa: BLE001
            return str(proto)
    if proto is not None and hasattr(proto, "json") and isinstance(getattr(proto, "json", None), str):
        try:
            return json.loads(proto.json)
        except Exception:  # noqa: BLE001
            return proto.json
    for attr in ("value", "label", "body"):
        if hasattr(node, attr):
            try:
                val = getattr(node, attr)
                json.dumps(val, default=str)
                return val if not isinstance(val, (set, tuple)) else list(val)
            except Exception:  # noqa: BLE001
                continue
    return str(proto)[:2000] if proto is not None else None


def _walk(node: Any, out: list[Any]) -> None:
    children = getattr(node, "children", None)
    kind = type(node).__name__
    if kind not in ("Block", "ElementTree", "Tab", "Column", "Expander", "Sidebar", "Form"):
        entry: dict[str, Any] = {"type": getattr(node, "type", kind)}
        label = getattr(node, "label", None)
        if isinstance(label, str):
            entry["label"] = label
        entry["value"] = _value(node)
        options = getattr(node, "options", None)
        if isinstance(options, list):
            entry["options"] = [str(o) for o in options]
        out.append(entry)
    if isinstance(children, dict):
        for key in sorted(children, key=lambda k: (str(type(k)), k)):
            _walk(children[key], out)


def snapshot(db: Path) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest

    os.environ["PSP_DB"] = str(db)
    os.environ.setdefault("PSP_DATASETS", tempfile.mkdtemp(prefix="psp-snap-ds-"))
    os.environ.setdefault("PSP_AUDIT_DB", str(Path(tempfile.mkdtemp(prefix="psp-snap-au-")) / "a.duckdb"))
    result: dict[str, Any] = {}
    for page in PAGES:
        for link in LINKS:
            key = f"{page}?{json.dumps(link, sort_keys=True)}"
            at = AppTest.from_file(
                str(ROOT / "dashboard.py"),
                default_timeout=float(os.environ.get("PSP_SNAPSHOT_TIMEOUT", "900")),
            )
            for name, value in link.items():
                at.query_params[name] = value
            at.switch_page(page)
            at.run()
            elements: list[Any] = []
            _walk(at._tree, elements)
            result[key] = {
                "exceptions": [str(e.value)[:500] for e in at.exception],
                "elements": elements,
            }
            print(f"{key}: {len(elements)} elements, {len(at.exception)} exceptions", file=sys.stderr)
    return result


# What differs between two runs of the same code: wall-clock times (the audit trail's rows, a
# briefing's "Generated" line). They are masked before comparing.
_VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"Generated \d{1,2} \w+ \d{4}, \d\d:\d\d"), "Generated <time>"),
]


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, replacement in _VOLATILE:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        if value.get("columns") and "happened_at" in value["columns"]:
            return {"columns": value["columns"], "rows": "<audit trail>"}
        return {k: _mask(v) for k, v in value.items()}
    return value


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12]


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    differences = 0
    for key in sorted(set(before) | set(after)):
        a, b = _mask(before.get(key)), _mask(after.get(key))
        if a is None or b is None:
            print(f"ONLY IN {'after' if a is None else 'before'}: {key}")
            differences += 1
            continue
        if _digest(a) == _digest(b):
            continue
        differences += 1
        print(f"DIFFERS: {key}")
        ea, eb = a["elements"], b["elements"]
        if len(ea) != len(eb):
            print(f"  {len(ea)} elements before, {len(eb)} after")
        for i, (x, y) in enumerate(zip(ea, eb, strict=False)):
            if _digest(x) != _digest(y):
                print(
                    f"  element {i} ({x.get('type')} / {y.get('type')}): "
                    f"{json.dumps(x, default=str)[:300]}\n   -> {json.dumps(y, default=str)[:300]}"
                )
                break
    pages = len(set(before) & set(after))
    print(f"{pages} page views compared, {differences} differ")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args()
    if args.compare:
        return compare(*(json.loads(p.read_text()) for p in args.compare))
    if not args.db or not args.out:
        parser.error("--db and --out, or --compare A B")
    args.out.write_text(json.dumps(snapshot(args.db), default=str, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
