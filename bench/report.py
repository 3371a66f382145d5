"""The printed table of a bench result (bench/results.json)."""

from __future__ import annotations

from typing import Any

from bench.run import TARGET_TEXT


def _n(value: Any, fmt: str = ",.0f") -> str:
    if value is None:
        return "—"
    try:
        return format(value, fmt)
    except (TypeError, ValueError):
        return str(value)


def _browser_lines(s: dict[str, Any]) -> list[str]:
    """Per page: a filter change in real chromium until every chart is redrawn and the app
    idle, against the one-chart floor app in the same run."""
    b = s.get("browser_changes")
    if not b:
        return []
    head = (
        f"{'browser: filter change':<22}{'median s':>10}{'p95 s':>9}{'× floor':>9}{'new s':>8}{'charts':>8}"
        f"{'to last msg':>13}{'drawing after':>15}"
    )
    out = ["", head, "-" * len(head)]
    out.append(f"{'floor (1-chart app)':<22}{b['floor_p50_s']:>10.2f}{b['floor_p95_s']:>9.2f}{'1.0×':>9}")
    for name, p in b["pages"].items():
        out.append(
            f"{name:<22}{p['p50_s']:>10.2f}{p['p95_s']:>9.2f}{p['ratio']:>8.1f}×"
            f"{_n(p.get('fresh_p50_s'), '.2f'):>8}{p['charts_updated_min']:>4}/{p['charts']:<3}"
            f"{_n(p.get('to_last_message_p50_s'), '.2f'):>13}{_n(p.get('drawing_after_p50_s'), '.2f'):>15}"
        )
    return out


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
                f"{'yes' if p.get('same_output') else ('NO' if p.get('same_output') is False else '—')}"
            )
        lines += _browser_lines(s)
        lines.append("")
    lines.append("Targets")
    for name, v in result["targets"].items():
        state = "not measured" if v["holds"] is None else ("holds" if v["holds"] else "MISSED")
        lines.append(f"  {TARGET_TEXT.get(name, name):<52} {_n(v['value'], ',.1f'):>12}  {state}")
    return "\n".join(lines)


def markdown(result: dict[str, Any]) -> str:
    """The README's performance tables, from a results file."""
    env = result["environment"]
    out = [
        f"Measured {result['generated_at'][:10]} on {env['cpu_count']} shared cores ({env['cpu_model']}), "
        f"{env['memory_gb']} GB RAM, Python {env['python']}, DuckDB {env['versions']['duckdb']}, "
        f"pandas {env['versions']['pandas']}; load average {env['load_avg_at_start'][0]:.1f} at the start"
        + (" (other work was running on the machine)" if env["load_avg_at_start"][0] > 1.2 else "")
        + ". Times are the median (p50) and 95th percentile (p95) "
        f"over {result['config']['combos']} filter combinations per page.",
        "",
        "| offenses (demo scale) | store | demo build | CSV import | cold start | dashboard peak RSS | pandas load |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["scales"]:
        csv = s.get("csv_import") or {}
        csv_text = f"{_n(csv.get('rows_per_s'))} rows/s ({csv.get('rows', 0):,} rows)" if csv else "—"
        out.append(
            f"| {s['rows']:,} ({s['scale']:g}) | {_n(s['store_mb'])} MB | {_n(s['ingest_rows_per_s'])} rows/s "
            f"| {csv_text} | {_n(s['cold_start_s'], '.2f')} s | {_n(s.get('rss_mb'))} MB "
            f"| {_n(s.get('pandas_load_s'), '.1f')} s |"
        )
    out += [
        "",
        "Per page, one interaction (every analysis call of a rerun, no Streamlit cache), warm; "
        "*cached* = what the app recomputes with its cache (calls with new arguments, and chart "
        "builders); pandas = the same outputs from an in-memory DataFrame of the incidents; "
        "ratio = pandas p50 / analysis p50; objects and KB = the largest chart or map sent:",
        "",
    ]
    scales = result["scales"]
    files = list(dict.fromkeys(f for sc in scales for f in sc["pages"]))
    ten = next((sc for sc in scales if sc.get("target_rows") == 1e7), scales[-1])
    big = next((sc for sc in scales if sc.get("target_rows") == 1e8), None)
    head = "| page | " + " | ".join(f"{sc['rows'] / 1e6:,.0f}M p50 / p95 ms" for sc in scales)
    head += (
        f" | {ten['rows'] / 1e6:,.0f}M cached p50 / p95 ms | {ten['rows'] / 1e6:,.0f}M pandas p50 ms | ratio"
    )
    head += (
        f" {ten['rows'] / 1e6:,.0f}M"
        + (f" / {big['rows'] / 1e6:,.0f}M" if big else "")
        + f" | data ratio {ten['rows'] / 1e6:,.0f}M"
        + (f" / {big['rows'] / 1e6:,.0f}M" if big else "")
        + " | objects | KB |"
    )
    out += [head, "|---|" + "---:|" * (len(scales) + 6)]
    for file in files:
        name = next(sc["pages"][file].get("title", file) for sc in scales if file in sc["pages"])
        cells = []
        for sc in scales:
            p = sc["pages"].get(file)
            cells.append(f"{_n(p['p50_ms'], ',.0f')} / {_n(p['p95_ms'], ',.0f')}" if p else "not run")
        p = ten["pages"].get(file, {})
        ratios = [_n(p.get("ratio"), ".1f") + "×" if p.get("ratio") else "—"]
        data = [_n(p.get("data_ratio"), ".1f") + "×" if p.get("data_ratio") else "—"]
        if big:
            q = big["pages"].get(file, {})
            ratios.append(_n(q.get("ratio"), ".0f") + "×" if q.get("ratio") else "—")
            data.append(_n(q.get("data_ratio"), ".0f") + "×" if q.get("data_ratio") else "—")
        objects = max(sc["pages"][file]["max_objects"] for sc in scales if file in sc["pages"])
        size = max(sc["pages"][file]["bytes"] for sc in scales if file in sc["pages"])
        out.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {_n(p.get('cached_p50_ms'), ',.0f')} / {_n(p.get('cached_p95_ms'), ',.0f')}"
            + f" | {_n(p.get('pandas_ms'), ',.0f')} | {' / '.join(ratios)} | {' / '.join(data)}"
            + f" | {_n(objects)} | {_n(size / 1024, ',.0f')} |"
        )
    with_browser = [sc for sc in scales if sc.get("browser_changes")]
    if with_browser:
        out += [
            "",
            "In the browser (real chromium, one Streamlit server): the sidebar Offense changed "
            f"{with_browser[0]['browser_changes']['pages'][next(iter(with_browser[0]['browser_changes']['pages']))]['changes']}"
            " times per page (the goal picker on Goals), timed in the page from the key press to "
            "every chart redrawn and the app idle; × floor = median against a one-chart Streamlit "
            "app driven the same way in the same run (bench/browser_changes.py):",
            "",
            "| page | "
            + " | ".join(f"{sc['rows'] / 1e6:,.0f}M median / p95 s (× floor)" for sc in with_browser)
            + " |",
            "|---|" + "---:|" * len(with_browser),
        ]
        out.append(
            "| floor: one-chart app | "
            + " | ".join(
                f"{sc['browser_changes']['floor_p50_s']:.2f} / {sc['browser_changes']['floor_p95_s']:.2f}"
                for sc in with_browser
            )
            + " |"
        )
        names = list(dict.fromkeys(n for sc in with_browser for n in sc["browser_changes"]["pages"]))
        for name in names:
            cells = []
            for sc in with_browser:
                p = sc["browser_changes"]["pages"].get(name)
                cells.append(f"{p['p50_s']:.2f} / {p['p95_s']:.2f} ({p['ratio']:.1f}×)" if p else "not run")
            out.append(f"| {name} | " + " | ".join(cells) + " |")
    imports = [sc for sc in scales if sc.get("csv_import")]
    if imports:
        out += [
            "",
            "CSV import against DuckDB's bare `read_csv` into a table, same file, same run "
            "(bench/csv_import.py; the faster of two bare reads counts):",
            "",
            "| rows | CSV | import rows/s | bare read rows/s | ratio (target ≥ 0.5) |",
            "|---:|---:|---:|---:|---:|",
        ]
        for sc in imports:
            c = sc["csv_import"]
            out.append(
                f"| {c['rows']:,} | {_n(c.get('csv_mb'))} MB | {_n(c.get('rows_per_s'))} "
                f"| {_n(c.get('bare_read_rows_per_s'))} | {_n(c.get('ratio_to_bare_read'), '.2f')} |"
            )
    out += ["", "Targets:", ""]
    for name, v in result["targets"].items():
        state = "not measured" if v["holds"] is None else ("holds" if v["holds"] else "**missed**")
        out.append(f"- {TARGET_TEXT.get(name, name)}: measured {_n(v['value'], ',.1f')} — {state}")
    return "\n".join(out)


if __name__ == "__main__":
    import json
    import sys

    print(markdown(json.loads(open(sys.argv[1] if len(sys.argv) > 1 else "bench/results.json").read())))
