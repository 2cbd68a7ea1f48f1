#!/usr/bin/env python3
"""Writes benches/results/scale.md from benches/results/scale.json (numbers only from the JSON)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def fmt_n(n: int) -> str:
    return f"10^{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"{n:,}"


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benches/results/scale.json"
    dst = src.with_suffix(".md")
    d = json.loads(src.read_text())
    m, st = d["machine"], d["settings"]
    out = [
        "## Scale: cost as the number of users grows",
        "",
        f"- date: {d['date']}; commit: `{d['commit'][:12]}`{' (dirty tree)' if d['dirty'] else ''}",
        f"- machine: {m['cores']} cores `{m['cpu']}`, {m['mem_gib']} GiB, kernel {m['kernel']}; "
        f"MariaDB {m['mariadb']} (InnoDB buffer pool {m['innodb_buffer_pool_mib']} MiB); "
        f"sqlite3 {m['sqlite3_cli']}; load average at start {' '.join(m['loadavg_start'])}"
        + (f", at end {' '.join(m['loadavg_end'])}" if "loadavg_end" in m else ""),
        f"- command: `{d['command']}`",
        f"- authd: release build, shipped defaults except rate limits off and bcrypt cost "
        f"{st['bcrypt_cost']}; role cache {st['role_cache_ms']} ms TTL, capacity "
        f"{st['role_cache_capacity']:,} (defaults); signin/signup: {st['requests']} "
        "sequential keep-alive requests per user count, every user count loaded at once and "
        "served by its own authd, timed alternately in blocks of 10 (one more block each as "
        "warm-up), so machine noise falls on all alike",
    ]
    if d.get("note"):
        out.append(f"- note: {d['note']}")
    out += ["", "### Signin and signup p50 (ms)", "",
            "| backend | users | load (s) | authd start (s) | signin p50 | signin p90 "
            "| signup p50 | signup p90 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in d["cases"]:
        out.append(
            f"| {c['backend']} | {fmt_n(c['users'])} | {c['load']['load_s']} | "
            f"{c['authd_startup_s']} | {c['signin']['p50_ms']} | {c['signin']['p90_ms']} | "
            f"{c['signup']['p50_ms']} | {c['signup']['p90_ms']} |")
    by = {}
    for c in d["cases"]:
        by.setdefault(c["backend"], {})[c["users"]] = c
    ratios = []
    for backend, cs in by.items():
        if len(cs) >= 2:
            lo, hi = cs[min(cs)], cs[max(cs)]
            ratios.append(
                f"{backend}: signin {hi['signin']['p50_ms'] / lo['signin']['p50_ms']:.2f}×, "
                f"signup {hi['signup']['p50_ms'] / lo['signup']['p50_ms']:.2f}× "
                f"({fmt_n(max(cs))} vs {fmt_n(min(cs))} users)")
    if ratios:
        out += ["", "p50 ratio, most vs fewest users: " + "; ".join(ratios) + "."]

    out += ["", "### Admin user listing (GET /api/admin/users, size 100; ms, median of 5)", "",
            "| backend | users | offset 0 | offset N | keyset `after=0` | keyset `after=N` "
            "| same rows | statuses (offset N) |",
            "|---|---:|---:|---:|---:|---:|---|---|"]
    for c in d["cases"]:
        li = c["listing"]
        out.append(
            f"| {c['backend']} | {fmt_n(c['users'])} | {li['offset_0']['p50_ms']} | "
            f"{li['offset_deep']['p50_ms']} (offset {li['offset']:,}) | "
            f"{li['keyset_start']['p50_ms']} | {li['keyset_deep']['p50_ms']} | "
            f"{li['same_rows']} | {li['offset_deep']['statuses']} |")

    admin = [c for c in d["cases"] if c.get("admin")]
    if admin:
        out += ["", "### /api/test/admin with tokens of 10^5 distinct users (role-cache misses)",
                "",
                f"wrk -t2 -c16, {admin[0]['admin']['seconds']} s per run; each run rotates over "
                "the tokens of 10^5 users not used before (a user returns after 10^5 "
                "requests, later than the 1 s TTL, so every request misses). Store "
                "queries/s: MariaDB `Questions` delta during the run (the server-wide "
                "background rate, measured over an idle interval just before, is shown "
                "beside it and subtracted in queries/request); SQLite: authd's metrics "
                "have no store-query counter, so not measured.",
                "",
                "| backend | role cache | tokens | req/s | p50 ms | p99 ms | non-2xx | errors "
                "| store queries/s | background q/s | queries/request | RSS after (MiB) |",
                "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for c in admin:
            for cache, kind in (("on", "admin"), ("off", "admin_no_cache")):
                for r in c.get(kind, {}).get("runs", []):
                    q = r.get
                    out.append(
                        f"| {c['backend']} | {cache} | {r['label']} | {r['rps']:,.0f} | "
                        f"{r['p50_ms']} | {r['p99_ms']} | {r['status_errors']} | "
                        f"{r['socket_errors']} | {q('store_questions_per_s', 'n/a')} | "
                        f"{q('background_questions_per_s', 'n/a')} | "
                        f"{q('questions_per_request', 'n/a')} | {mib(r['rss_kib'])} |")
        for c in admin:
            for r in c["admin"]["runs"]:
                if r.get("commands_per_request"):
                    cmds = ", ".join(f"`{k}` {v}" for k, v in
                                     sorted(r["commands_per_request"].items()))
                    out.append(f"\nMariaDB commands per request ({r['label']}): {cmds}.")
                    break
        out += ["", "### RSS with the role cache full (VmRSS, MiB)", "",
                "Each run's users are new to the cache; after the first run it holds its "
                "capacity and every later miss evicts. The same runs with the role cache off "
                "(a fresh authd, `AUTHD_ROLE_CACHE_MS=0`) give the growth that is not the "
                "cache (connections, allocator arenas, store buffers).", "",
                "| backend | role cache | before | after each run | growth | peak (VmHWM) |",
                "|---|---|---:|---|---:|---:|"]
        for c in admin:
            for cache, kind in (("on", "admin"), ("off", "admin_no_cache")):
                a = c.get(kind)
                if not a:
                    continue
                before, last = a["rss_before"], a["runs"][-1]
                out.append(
                    f"| {c['backend']} | {cache} | {mib(before['rss_kib'])} | "
                    + ", ".join(mib(r["rss_kib"]) for r in a["runs"])
                    + f" | {mib(last['rss_kib'] - before['rss_kib'])} | "
                    f"{mib(last['hwm_kib'])} |")

    out += ["", "### EXPLAIN of the lookups (SQL text read from the adapters' constants)", ""]
    seen = set()
    for c in sorted(d["cases"], key=lambda c: -c["users"]):
        if c["backend"] in seen:
            continue
        seen.add(c["backend"])
        out += [f"{c['backend']} at {fmt_n(c['users'])} users "
                f"({'EXPLAIN' if c['backend'] == 'mysql' else 'EXPLAIN QUERY PLAN'}):", "",
                "| lookup | constant | plan | scans users |", "|---|---|---|---|"]
        for e in c["explain"]:
            plan = "; ".join(e["plan"]).replace("|", "\\|")
            out.append(f"| {e['lookup']} | `{e['const']}` | {plan} | "
                       f"{'**yes**' if e['scans_users'] else 'no'} |")
        out.append("")
    dst.write_text("\n".join(out).rstrip() + "\n")
    print(f"wrote {dst}")


if __name__ == "__main__":
    main()
