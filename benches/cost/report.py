#!/usr/bin/env python3
"""Turns benches/cost/run.sh's measurements into the instruction table, or checks them.

Usage: report.py MODE CELLS
CELLS has one line per cell: `server route low high outside_low outside_high pool_low pool_high`
(instructions of the two windows outside and inside authd's bcrypt thread pool).
MODE `write` stores the table as benches/results/cost.json and reassembles benches/RESULTS.md;
`--update-baseline` also rewrites benches/cost/baseline.json; `--check` compares the authd cells
with that baseline and exits 1 when one grew more than 10 % (it writes nothing).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import results  # noqa: E402  (benches/results.py)

TOLERANCE = 1.10
BASELINE = os.path.join(results.ROOT, "benches", "cost", "baseline.json")
COUNT_VARS = ("WARMUP", "N_LOW", "N_HIGH", "SIGNIN_LOW", "SIGNIN_HIGH")
LABELS = {
    "all": "/api/test/all",
    "user": "/api/test/user",
    "admin-hit": "/api/test/admin (role cache hit)",
    "admin-miss": "/api/test/admin (role cache miss: store read)",
    "signin": "POST /api/auth/signin, outside the bcrypt pool (cost 4)",
}


def read_cells(path):
    """Instructions per request of each `server:route` outside bcrypt's thread pool, and inside it."""
    outside, pool = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            server, route, low, high, t_low, t_high, p_low, p_high = line.split()
            n = int(high) - int(low)
            outside[f"{server}:{route}"] = round((int(t_high) - int(t_low)) / n)
            pool[f"{server}:{route}"] = round((int(p_high) - int(p_low)) / n)
    return outside, pool


def valgrind_version():
    return subprocess.run(["valgrind", "--version"], capture_output=True, text=True,
                          check=False).stdout.strip()


def meta(mode):
    command = "bash benches/cost/run.sh" + ("" if mode == "write" else f" {mode}")
    m = results.provenance(command, scripts=("benches/cost/run.sh", "benches/cost/client.py"))
    m["valgrind"] = valgrind_version()
    m["requests"] = {k: int(os.environ[k]) for k in COUNT_VARS}
    r = m["requests"]
    m["extra"] = [
        f"{m['valgrind']} (callgrind, all threads); per request = (I({r['N_HIGH']}) - "
        f"I({r['N_LOW']})) / {r['N_HIGH'] - r['N_LOW']} for the hot routes and "
        f"(I({r['SIGNIN_HIGH']}) - I({r['SIGNIN_LOW']})) / {r['SIGNIN_HIGH'] - r['SIGNIN_LOW']} "
        f"for signin, after {r['WARMUP']} warm-up requests, in one server process per cell; "
        "instructions on the threads of authd's bcrypt pool are counted apart",
    ]
    return m


def table(got, pool):
    lines = [
        "## Instructions per request (callgrind)",
        "",
        "| route | authd | ceiling | authd / ceiling | authd's bcrypt pool threads |",
        "|---|---:|---:|---:|---:|",
    ]
    for route, label in LABELS.items():
        authd = got.get(f"authd:{route}")
        if authd is None:
            continue
        ceiling = got.get(f"ceiling:{route}")
        ratio = f"{authd / ceiling:.2f}×" if ceiling else "–"
        lines.append(f"| {label} | {authd:,} | {f'{ceiling:,}' if ceiling else '–'} | {ratio} | "
                     f"{pool.get(f'authd:{route}', 0):,} |")
    return "\n".join(lines) + "\n"


def check(got):
    with open(BASELINE, encoding="utf-8") as f:
        base_doc = json.load(f)
    baseline, base_meta = base_doc["instructions_per_request"], base_doc["meta"]
    for key, now in (("valgrind", valgrind_version()), ("cpu", results.cpu_model()),
                     ("rustc", results.provenance("")["rustc"])):
        if base_meta.get(key) != now:
            print(f"note: the baseline was made with {key} `{base_meta.get(key)}`, this run has "
                  f"`{now}`; counts may move for that reason alone")
    failed = 0
    subset = bool(os.environ.get("ROUTES_SET"))
    for key in sorted(k for k in baseline if k.startswith("authd:")):
        base = baseline[key]
        value = got.get(key)
        if value is None:
            if not subset:
                failed += 1
                print(f"{key}: not measured FAILED")
            continue
        ratio = value / base
        verdict = "ok" if ratio <= TOLERANCE else "FAILED (more than 10 % over the baseline)"
        if ratio < 1 / TOLERANCE:
            verdict += " (more than 10 % under: regenerate the baseline to keep the check tight)"
        failed += ratio > TOLERANCE
        print(f"{key}: {value:,} instructions/request vs baseline {base:,} ({ratio:.3f}×) {verdict}")
    for key in sorted(set(got) - set(baseline)):
        print(f"{key}: {got[key]:,} instructions/request (not in the baseline)")
    print(f"cost check against {base_meta.get('commit')}: "
          f"{'FAILED' if failed else 'ok'} ({failed} failed)")
    return 1 if failed else 0


def main():
    mode, cells_path = sys.argv[1:3]
    got, pool = read_cells(cells_path)
    if mode == "--check":
        return check(got)
    m = meta(mode)
    markdown = table(got, pool)
    data = {"instructions_per_request": got, "bcrypt_pool_instructions_per_request": pool}
    results.write_section("cost", m, markdown, data)
    if mode == "--update-baseline":
        with open(BASELINE, "w", encoding="utf-8") as f:
            json.dump({"meta": m, **data}, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"wrote {os.path.relpath(BASELINE, results.ROOT)}")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
