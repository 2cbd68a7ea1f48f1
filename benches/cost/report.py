#!/usr/bin/env python3
"""Turns benches/cost/run.sh's measurements into the instruction table, or checks them.

Usage: report.py MODE N_LOW N_HIGH CELLS ROOT
MODE `write` writes benches/results/cost.{md,json}; `--update-baseline` also rewrites
benches/cost/baseline.json; `--check` compares with that baseline and exits 1 when a cell grew
more than 10 %.
"""
import datetime
import json
import os
import platform
import subprocess
import sys

TOLERANCE = 1.10
LABELS = {
    "all": "/api/test/all",
    "user": "/api/test/user",
    "admin-hit": "/api/test/admin (role cache hit)",
    "admin-miss": "/api/test/admin (role cache miss: store read)",
    "signin": "POST /api/auth/signin minus bcrypt (cost 4)",
}


def cells(path, n_low, n_high):
    out = {}
    for line in open(path):
        server, route, low, high, low_b, high_b = line.split()
        total = (int(high) - int(low)) / (n_high - n_low)
        bcrypt = (int(high_b) - int(low_b)) / (n_high - n_low)
        out[f"{server}:{route}"] = round(total - bcrypt)
    return out


def git(root, *args):
    return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True).stdout.strip()


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    mode, n_low, n_high, path, root = sys.argv[1:6]
    n_low, n_high = int(n_low), int(n_high)
    got = cells(path, n_low, n_high)
    baseline_path = os.path.join(root, "benches/cost/baseline.json")
    if mode == "--check":
        baseline = json.load(open(baseline_path))["instructions_per_request"]
        failed = 0
        for key, value in sorted(got.items()):
            base = baseline.get(key)
            if base is None:
                print(f"{key}: {value} instructions/request (no baseline)")
                continue
            ratio = value / base
            verdict = "ok" if ratio <= TOLERANCE else "FAILED"
            failed += verdict != "ok"
            print(f"{key}: {value} vs baseline {base} ({ratio:.3f}x) {verdict}")
        print(f"cost check: {len(got) - failed} passed, {failed} failed")
        return 1 if failed else 0

    meta = {
        "commit": git(root, "rev-parse", "--short", "HEAD"),
        "dirty": bool(git(root, "status", "--porcelain", "--", "server", "core", "Cargo.lock")),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "rustc": subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip(),
        "valgrind": subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip(),
        "requests": [n_low, n_high],
    }
    os.makedirs(os.path.join(root, "benches/results"), exist_ok=True)
    doc = {"meta": meta, "instructions_per_request": got}
    json.dump(doc, open(os.path.join(root, "benches/results/cost.json"), "w"), indent=2, sort_keys=True)
    if mode == "--update-baseline":
        json.dump(doc, open(baseline_path, "w"), indent=2, sort_keys=True)

    lines = [
        "## Instructions per request (callgrind)",
        "",
        f"Written by `bash benches/cost/run.sh` at commit {meta['commit']}"
        f"{' (with uncommitted changes)' if meta['dirty'] else ''}, {meta['date']}; {meta['cpu']}, "
        f"{meta['cores']} cores; {meta['rustc']}; {meta['valgrind']}. Slope between {n_low} and "
        f"{n_high} keep-alive requests with an `Origin` header; all threads.",
        "",
        "| route | authd | ceiling | authd / ceiling |",
        "|---|---:|---:|---:|",
    ]
    for route, label in LABELS.items():
        authd = got.get(f"authd:{route}")
        if authd is None:
            continue
        ceiling = got.get(f"ceiling:{route}")
        ratio = f"{authd / ceiling:.2f}x" if ceiling else "–"
        lines.append(f"| {label} | {authd:,} | {f'{ceiling:,}' if ceiling else '–'} | {ratio} |")
    open(os.path.join(root, "benches/results/cost.md"), "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
