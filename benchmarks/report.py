"""Turning samples into tables (markdown), ratios to ours, target checks and JSON."""
from __future__ import annotations

import statistics

from workloads import Target, Workload


def rate(sample: dict, unit: str) -> float:
    """files/s or MB/s (10^6 bytes) of one timed run."""
    amount = sample["count"] if unit == "files/s" else sample["bytes"] / 1e6
    return amount / sample["seconds"]


def summarize(workload: Workload, samples: dict[str, list[dict]]) -> dict[str, dict]:
    """Per row: median rate, spread (min..max), CPU per file, error if any run failed."""
    summary = {}
    for row in workload.rows:
        runs = samples.get(row.id, [])
        errors = [s["error"] for s in runs if "error" in s]
        good = [s for s in runs if "error" not in s]
        entry: dict = {"label": row.label, "engine": row.engine, "runs": len(good)}
        if errors:
            entry["error"] = errors[0].strip().splitlines()[-1]
            entry["traceback"] = errors[0]
        if good:
            rates = [rate(s, workload.unit) for s in good]
            entry["median"] = statistics.median(rates)
            entry["min"], entry["max"] = min(rates), max(rates)
            entry["rates"] = rates
            count = statistics.median(s["count"] for s in good)
            entry["cpu_ms_per_file"] = 1000 * statistics.median(s["cpu"] for s in good) / count
        summary[row.id] = entry
    base = summary.get(workload.base, {}).get("median")
    for entry in summary.values():
        if base and "median" in entry:
            entry["vs_ours"] = entry["median"] / base
    return summary


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def table(workload: Workload, summary: dict[str, dict], repeats: int) -> str:
    """A markdown table of one workload; 'x ours' is this row's rate / ours (higher = faster)."""
    lines = [
        f"### {workload.title}",
        "",
        f"{workload.unit}, median of {repeats}"
        + (f"; {workload.note}" if workload.note else ""),
        "",
        f"| | engine | {workload.unit} | min..max | CPU ms/file | x ours |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in workload.rows:
        entry = summary[row.id]
        if "median" not in entry:
            lines.append(f"| {entry['label']} | {entry['engine']} "
                         f"| error: {entry.get('error', 'no run')[:90]} | | | |")
            continue
        ratio = f"{entry['vs_ours']:.2f}" if "vs_ours" in entry else "n/a"
        spread = f"{_number(entry['min'])}..{_number(entry['max'])}"
        lines.append(
            f"| {entry['label']} | {entry['engine']} | {_number(entry['median'])} | {spread} "
            f"| {entry['cpu_ms_per_file']:.3f} | {ratio} |"
        )
    return "\n".join(lines)


def check_targets(targets: list[Target], summaries: dict[str, dict]) -> list[dict]:
    """Each target with its measured ratio and whether it is met (None: not measured)."""
    checked = []
    for target in targets:
        summary = summaries.get(target.workload)
        if summary is None:
            continue
        mine = summary.get(target.row, {}).get("median")
        other = summary.get(target.other, {}).get("median")
        labels = {key: entry["label"] for key, entry in summary.items()}
        ratio = mine / other if mine and other else None
        checked.append({
            "workload": target.workload,
            "target": target.describe(labels),
            "required": target.ratio,
            "measured": ratio,
            "met": None if ratio is None else ratio >= target.ratio,
        })
    return checked


def targets_table(checked: list[dict]) -> str:
    """The targets as a markdown table."""
    lines = ["### Targets", "", "| workload | target | measured | |", "|---|---|---:|---|"]
    for item in checked:
        measured = "n/a" if item["measured"] is None else f"{item['measured']:.2f}x"
        verdict = {True: "met", False: "MISSED", None: "not measured"}[item["met"]]
        lines.append(f"| {item['workload']} | {item['target']} | {measured} | {verdict} |")
    return "\n".join(lines)
