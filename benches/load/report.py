"""Turns benches/load/run.sh's JSON lines into benches/RESULTS.md: req/s, p50, p99, peak RSS and
the ratios authd/seed and authd/ceiling, all from one run."""
import json
import platform
import subprocess
import sys
import time

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
by = {(r["server"], r["endpoint"], r["conns"]): r for r in rows}


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def rustc():
    try:
        return subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


def rps(server, ep, c):
    r = by.get((server, ep, c))
    return r.get("rps") if r else None


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


print("# Load benchmark: authd vs the seed's Node server vs the bare-hyper ceiling\n")
print(f"One run of `bash benches/load/run.sh`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
      f"Machine: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores ({cpu()}), "
      f"{rustc()}, wrk with 1 thread on the same box, MariaDB on 127.0.0.1. "
      "Every server ran alone, back to back, with the same load; bcrypt cost 8 everywhere.\n")
print("| server | endpoint | conns | req/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MiB |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    if "rps" not in r:
        print(f"| {r['server']} | {r['endpoint']} | {r['conns']} | (wrk failed) | | | | | |")
        continue
    print(f"| {r['server']} | {r['endpoint']} | {r['conns']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | "
          f"{r['p99_ms']:.2f} | {r['errors']} | {r['non2xx']} | {r['peak_rss_mib']} |")

sat = [r for r in rows if r["endpoint"].startswith("all-during-signin")]
if sat:
    print("\n## /api/test/all during signin saturation, with the background signin throughput\n")
    print("16 connections keep `POST /api/auth/signin` busy while 16 more measure `GET /api/test/all`; "
          "`+hog` runs one `yes` per core at nice 0 alongside.\n")
    print("| server | run | /all req/s | /all p99 ms | background signins OK/s | signin answers/s | signin p99 ms | signin non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in sat:
        if "rps" not in r:
            print(f"| {r['server']} | {r['endpoint']} | (wrk failed) | | | | | |")
            continue
        bg, ok = r.get("bg_signin_rps"), r.get("bg_signin_ok_rps")
        print(f"| {r['server']} | {r['endpoint']} | {r['rps']:.0f} | {r['p99_ms']:.2f} | "
              f"{'–' if ok is None else f'{ok:.1f}'} | {'–' if bg is None else f'{bg:.1f}'} | "
              f"{r.get('bg_signin_p99_ms') or '–'} | {r.get('bg_signin_non2xx', '–')} |")

print("\n## Ratios (same run)\n")
print("| endpoint | conns | authd-mysql / seed | authd-mysql / ceiling | authd-sqlite / seed | authd-sqlite / ceiling |")
print("|---|---:|---:|---:|---:|---:|")
for ep in ["all", "user", "admin", "signin"]:
    for c in sorted({r["conns"] for r in rows if r["endpoint"] == ep}):
        m, s, q, ce = (rps("authd-mysql", ep, c), rps("seed", ep, c), rps("authd-sqlite", ep, c),
                       rps("ceiling", ep, c))
        print(f"| {ep} | {c} | {ratio(m, s)} | {ratio(m, ce)} | {ratio(q, s)} | {ratio(q, ce)} |")
