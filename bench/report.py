"""Turns raw per-run samples into medians, ranges, ratios and target verdicts (Markdown table + JSON)."""

import statistics

SIDES = ("berth", "reference", "nginx")


def summarize(samples):
    if not samples:
        return None
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "runs": len(samples)}


def _fmt_number(value):
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _fmt_cell(summary, failure=None):
    if summary is None:
        return "**failed**" if failure else "–"
    if summary["runs"] == 1 or summary["min"] == summary["max"]:
        return _fmt_number(summary["median"])
    return f"{_fmt_number(summary['median'])} ({_fmt_number(summary['min'])}–{_fmt_number(summary['max'])})"


def _ratio(a, b):
    if a is None or b is None or b["median"] == 0:
        return None
    return a["median"] / b["median"]


def _fmt_ratio(ratio):
    return "–" if ratio is None else f"{ratio:.2f}"


def summarize_all(measurements):
    """measurements: {key: {"title", "unit", "samples": {side: [values]}}} -> adds "summary" and ratios."""
    for entry in measurements.values():
        entry["summary"] = {side: summarize(entry["samples"].get(side, [])) for side in SIDES}
        summary = entry["summary"]
        entry["ratio_berth_reference"] = _ratio(summary["berth"], summary["reference"])
        entry["ratio_berth_nginx"] = _ratio(summary["berth"], summary["nginx"])
    return measurements


def table(measurements, subject_label, nginx=True):
    """nginx=False leaves out the nginx columns (benchmarks with no nginx side)."""
    columns = [f"{subject_label} median (range)", "reference median (range)", *(["nginx"] if nginx else []),
               f"{subject_label}/reference", *([f"{subject_label}/nginx"] if nginx else [])]
    lines = ["| measurement | unit | " + " | ".join(columns) + " |", "|---" * (len(columns) + 2) + "|"]
    for entry in measurements.values():
        summary = entry["summary"]
        failed = entry.get("failures", {})
        cells = [_fmt_cell(summary["berth"], failed.get("berth")),
                 _fmt_cell(summary["reference"], failed.get("reference")),
                 *([_fmt_cell(summary["nginx"], failed.get("nginx"))] if nginx else []),
                 _fmt_ratio(entry["ratio_berth_reference"]),
                 *([_fmt_ratio(entry["ratio_berth_nginx"])] if nginx else [])]
        lines.append(f"| {entry['title']} | {entry['unit']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _median(measurements, key, side):
    entry = measurements.get(key)
    summary = entry and entry["summary"][side]
    return summary["median"] if summary else None


def targets(measurements, sha256_mbps):
    """The project's targets, each with the measured value and a verdict (None when not measured)."""
    def check(name, value, goal, passed):
        return {"target": name, "value": value, "goal": goal, "met": None if value is None else passed(value)}

    pull = _median(measurements, "pull_mbps", "berth")
    nginx = _median(measurements, "pull_mbps", "nginx")
    manifest = _median(measurements, "manifest_get_rps", "berth")
    manifest_ref = _median(measurements, "manifest_get_rps", "reference")
    push = _median(measurements, "push_monolithic_mbps", "berth")
    push_ref = _median(measurements, "push_monolithic_mbps", "reference")
    chunked = _median(measurements, "push_chunked_mbps", "berth")
    chunked_ref = _median(measurements, "push_chunked_mbps", "reference")
    rss = _median(measurements, "rss_idle_mib", "berth")

    def share(a, b):
        return None if a is None or not b else a / b

    return [
        check("blob pull >= 95% of nginx", share(pull, nginx), "share >= 0.95", lambda v: v >= 0.95),
        check("manifest GET >= 10x reference", share(manifest, manifest_ref), "ratio >= 10", lambda v: v >= 10),
        check("monolithic push >= 70% of one-core SHA-256", share(push, sha256_mbps), "share >= 0.70",
              lambda v: v >= 0.70),
        check("monolithic push faster than reference", share(push, push_ref), "ratio > 1", lambda v: v > 1),
        check("chunked push >= 70% of one-core SHA-256", share(chunked, sha256_mbps), "share >= 0.70",
              lambda v: v >= 0.70),
        check("chunked push faster than reference", share(chunked, chunked_ref), "ratio > 1", lambda v: v > 1),
        check("idle RSS <= 10 MiB", rss, "<= 10 MiB", lambda v: v <= 10),
    ]


def targets_table(rows):
    lines = ["| target | measured | goal | met |", "|---|---|---|---|"]
    for row in rows:
        value = "–" if row["value"] is None else f"{row['value']:.2f}"
        verdict = {True: "yes", False: "**no**", None: "not measured"}[row["met"]]
        lines.append(f"| {row['target']} | {value} | {row['goal']} | {verdict} |")
    return "\n".join(lines)


def failures_text(measurements, crashes):
    """What failed and how each crashed server ended; empty when everything ran."""
    lines = []
    for key, entry in measurements.items():
        for side, message in entry.get("failures", {}).items():
            first_line = message.strip().splitlines()[0] if message.strip() else "?"
            lines.append(f"- {entry['title']}, {side}: {first_line}")
    for crash in crashes:
        lines.append(f"- {crash['side']} exited with status {crash['exit_code']} and was restarted")
    return ("Failures:\n" + "\n".join(lines)) if lines else ""
