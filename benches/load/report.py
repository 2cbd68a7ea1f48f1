#!/usr/bin/env python3
"""Turns benches/load/run.sh's JSON lines into the load section of benches/RESULTS.md.

Usage: report.py RESULTS_JSONL      (the run's settings come from the environment run.sh exports)

Every cell was measured REPEATS times, the servers taking turns; the tables give the median and
the min-max of req/s and p99, the median p50, the errors and non-2xx summed over the runs, the
largest peak RSS, and ratios of medians.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import results  # noqa: E402  (benches/results.py)

SETTINGS = ("DURATION", "REPEATS", "CONNS", "SERVERS", "ENDPOINTS", "HOG", "BCRYPT_COST",
            "AUTHD_BIN", "AUTHD_EXTRA_ENV")
SERVER_ORDER = ["seed", "ceiling", "authd-mysql", "authd-sqlite"]
ENDPOINT_ORDER = ["all", "user", "admin", "signin", "all-during-signin", "all-during-signin+hog"]


def spread(values, fmt):
    """`median (min–max)` of the values that exist."""
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    med = fmt(statistics.median(values))
    return med if len(values) == 1 else f"{med} ({fmt(min(values))}–{fmt(max(values))})"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(rows):
    """One entry per (server, endpoint, conns) with the runs' statistics."""
    cells = {}
    for r in rows:
        cells.setdefault((r["server"], r["endpoint"], r["conns"]), []).append(r)
    out = []
    for (server, endpoint, conns), runs in cells.items():
        ok = [r for r in runs if "rps" in r]
        rss = [float(r["peak_rss_mib"]) for r in runs if r.get("peak_rss_mib") not in (None, "?")]
        cell = {
            "server": server, "endpoint": endpoint, "conns": conns, "runs": len(runs),
            "failed_runs": len(runs) - len(ok),
            "rps": [r["rps"] for r in ok], "p50_ms": [r["p50_ms"] for r in ok],
            "p99_ms": [r["p99_ms"] for r in ok],
            "errors": sum(r["errors"] for r in ok), "non2xx": sum(r["non2xx"] for r in ok),
            "peak_rss_mib": max(rss) if rss else None,
        }
        if endpoint.startswith("all-during-signin"):
            cell["bg_signin_ok_rps"] = [r.get("bg_signin_ok_rps") for r in ok]
            cell["bg_signin_rps"] = [r.get("bg_signin_rps") for r in ok]
            cell["bg_signin_p99_ms"] = [r.get("bg_signin_p99_ms") for r in ok]
            cell["bg_signin_non2xx"] = sum(r.get("bg_signin_non2xx") or 0 for r in ok)
        out.append(cell)
    rank = {s: i for i, s in enumerate(SERVER_ORDER)}
    ep_rank = {e: i for i, e in enumerate(ENDPOINT_ORDER)}
    out.sort(key=lambda c: (ep_rank.get(c["endpoint"], 99), c["endpoint"], c["conns"],
                            rank.get(c["server"], 99)))
    return out


def num(fmt):
    return lambda v: format(v, fmt)


def markdown(cells, smoke):
    lines = ["## Load (wrk, 127.0.0.1)", ""]
    if smoke:
        lines += [f"**{smoke}**", ""]
    lines += [
        "| endpoint | conns | server | req/s median (min–max) | p50 ms median (min–max) "
        "| p99 ms median (min–max) | errors | non-2xx | peak RSS MiB |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in cells:
        if c["endpoint"].startswith("all-during"):
            continue
        failed = f" ({c['failed_runs']} of {c['runs']} runs failed)" if c["failed_runs"] else ""
        lines.append(
            f"| {c['endpoint']} | {c['conns']} | {c['server']} | {spread(c['rps'], num(',.0f'))}"
            f"{failed} | {spread(c['p50_ms'], num('.2f'))} | {spread(c['p99_ms'], num('.2f'))} | "
            f"{c['errors']} | {c['non2xx']} | {c['peak_rss_mib'] or '–'} |")
    sat = [c for c in cells if c["endpoint"].startswith("all-during")]
    if sat:
        lines += [
            "",
            "### /api/test/all while 16 connections keep signin busy",
            "",
            "| run | server | /all req/s | /all p99 ms | background signins OK/s | signin answers/s "
            "| signin p99 ms | signin non-2xx |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for c in sat:
            lines.append(
                f"| {c['endpoint']} | {c['server']} | {spread(c['rps'], num(',.0f'))} | "
                f"{spread(c['p99_ms'], num('.2f'))} | {spread(c['bg_signin_ok_rps'], num('.1f'))} | "
                f"{spread(c['bg_signin_rps'], num('.1f'))} | "
                f"{spread(c['bg_signin_p99_ms'], num('.0f'))} | {c['bg_signin_non2xx']} |")
    by = {(c["server"], c["endpoint"], c["conns"]): median(c["rps"]) for c in cells}
    pairs = [(a, b) for a in ("authd-mysql", "authd-sqlite") for b in ("seed", "ceiling")
             if any(k[0] == a for k in by) and any(k[0] == b for k in by)]
    if pairs:
        lines += ["", "### Ratios of the req/s medians", "",
                  "| endpoint | conns | " + " | ".join(f"{a} / {b}" for a, b in pairs) + " |",
                  "|---|---:|" + "---:|" * len(pairs)]
        for ep in ("all", "user", "admin", "signin"):
            for conns in sorted({k[2] for k in by if k[1] == ep}):
                ratios = []
                for a, b in pairs:
                    x, y = by.get((a, ep, conns)), by.get((b, ep, conns))
                    ratios.append(f"{x / y:.2f}×" if x and y else "–")
                if all(r == "–" for r in ratios):
                    continue
                lines.append(f"| {ep} | {conns} | " + " | ".join(ratios) + " |")
    return "\n".join(lines) + "\n"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    cells = aggregate(rows)
    meta = results.provenance("bash benches/load/run.sh", env_names=SETTINGS,
                              scripts=("benches/load/run.sh",))
    duration, repeats = int(os.environ["DURATION"]), int(os.environ["REPEATS"])
    reasons = []
    if duration < 5:
        reasons.append(f"{duration} s per run")
    if repeats < 5:
        reasons.append(f"{repeats} runs per cell")
    if meta["loadavg_at_start"] > 1:
        reasons.append(f"a busy machine (load average {meta['loadavg_at_start']:.2f} at the start)")
    smoke = ("Smoke run, not results: " + ", ".join(reasons) +
             ". These figures only show that the pipeline works.") if reasons else ""
    meta["smoke"] = bool(reasons)
    meta["extra"] = [
        f"wrk 1 thread on the same machine; {duration} s per run; each cell {repeats} times, the "
        f"servers in turn ({os.environ['SERVERS']}); bcrypt cost {os.environ['BCRYPT_COST']} in "
        "authd; MariaDB on 127.0.0.1",
    ]
    results.write_section("load", meta, markdown(cells, smoke), {"cells": cells, "runs": rows})
    print(markdown(cells, smoke))


if __name__ == "__main__":
    sys.exit(main())
