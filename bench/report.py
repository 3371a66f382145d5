"""The printed table of a bench result (bench/results.json)."""

from __future__ import annotations

from typing import Any


def _n(value: Any, fmt: str = ",.0f") -> str:
    if value is None:
        return "—"
    try:
        return format(value, fmt)
    except (TypeError, ValueError):
        return str(value)


def table(result: dict[str, Any]) -> str:
    env = result["environment"]
    lines = [
        f"PSP dashboard bench — {result['generated_at']}, {env['cpu_count']} CPUs ({env['cpu_model']}), "
        f"Python {env['python']}, duckdb {env['versions']['duckdb']}, pandas {env['versions']['pandas']}, "
        f"load average at start {env['load_avg_at_start'][0]:.1f}",
        "",
    ]
    for s in result["scales"]:
        csv = s.get("csv_import") or {}
        lines.append(
            f"== {s['rows']:,} offenses (demo scale {s['scale']:g}) — store {_n(s['store_mb'], ',.0f')} MB, "
            f"demo build {_n(s['ingest_rows_per_s'])} rows/s"
            + (
                f", CSV import {_n(csv.get('rows_per_s'))} rows/s ({csv.get('rows', 0):,} rows)"
                if csv
                else ""
            )
            + f", cold start {_n(s['cold_start_s'], '.2f')} s, dashboard peak RSS {_n(s.get('rss_mb'))} MB"
            + (f", pandas load {_n(s.get('pandas_load_s'), '.1f')} s" if s.get("pandas_load_s") else "")
        )
        head = (
            f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'cold p50':>10}{'cold p95':>10}"
            f"{'pandas ms':>11}{'ratio':>8}{'objects':>9}{'KB':>8}  same"
        )
        lines += [head, "-" * len(head)]
        for file, p in s["pages"].items():
            ratio = p.get("ratio")
            lines.append(
                f"{p.get('title', file)[:21]:<22}{_n(p['p50_ms'], '.1f'):>9}{_n(p['p95_ms'], '.1f'):>9}"
                f"{_n(p['cold_p50_ms'], '.1f'):>10}{_n(p['cold_p95_ms'], '.1f'):>10}"
                f"{_n(p.get('pandas_ms'), ',.1f'):>11}{(_n(ratio, '.1f') + '×') if ratio else '—':>8}"
                f"{_n(p['max_objects']):>9}{_n(p['bytes'] / 1024, ',.0f'):>8}  "
                f"{'yes' if p.get('same_output') else ('NO' if 'same_output' in p else '—')}"
            )
        lines.append("")
    lines.append("Targets")
    for name, v in result["targets"].items():
        state = "not measured" if v["holds"] is None else ("holds" if v["holds"] else "MISSED")
        lines.append(f"  {name:<22} {_n(v['value'], ',.1f'):>12}  (limit {_n(v['limit'], ',.0f')})  {state}")
    return "\n".join(lines)
