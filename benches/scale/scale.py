#!/usr/bin/env python3
"""Scale bench of authd: cost as the number of users grows (issue 14 item 4).

For each backend (MariaDB, SQLite) and each user count N: authd creates the schema on an empty
store, is stopped, N users are bulk-loaded (one shared cost-4 bcrypt hash made by authd itself,
keys computed as authd computes them), authd is started again and measured: signin / signup p50,
EXPLAIN of the lookups, /api/test/admin throughput over tokens of 10^5 distinct users (role-cache
misses), RSS with the role cache full, and the admin listing at offset 0, at offset ~N and by
keyset cursor. Results go to benches/results/scale.json (and scale.md via report.py).

Python 3.11 stdlib only; uses the `mariadb`/`mysql` and `sqlite3` command-line clients and wrk.
Traffic goes to 127.0.0.1 only and every run is bounded.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MYSQL_DB = "authcore_scale"  # one database per user count: authcore_scale_<N>
PORT = int(os.environ.get("SCALE_PORT", "18190"))  # authd for the i-th user count: PORT + i
SECRET = "scale-bench-secret-of-at-least-32-bytes!"
PASSWORD = "scalepass1"
ADMIN = ("scaleadmin", "scaleadmin@scale.test")
BCRYPT_COST = 4
# Users whose tokens drive /api/test/admin (RANGES runs of TOKEN_USERS distinct users each);
# they get roles user + admin.
TOKEN_USERS = 100_000
RANGES = 4
# Runs of the same kind with the role cache off: the RSS growth that is not the cache.
NO_CACHE_RANGES = 2
STARTED = time.time()


def note(msg: str) -> None:
    print(f"[scale +{time.time() - STARTED:6.0f}s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# SQL clients


def mysql(sql: str, db: str | None, local_infile: bool = False) -> list[list[str]]:
    cmd = ["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", "-N", "-B"]
    if local_infile:
        cmd.append("--local-infile=1")
    if db:
        cmd.append(db)
    out = subprocess.run(cmd, input=sql, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"mariadb failed: {out.stderr.strip()}\n{sql[:500]}")
    return [line.split("\t") for line in out.stdout.splitlines()]


def sqlite(path: Path, sql: str) -> list[list[str]]:
    out = subprocess.run(
        ["sqlite3", "-batch", "-separator", "\t", str(path)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if out.returncode != 0 or "Error" in out.stderr:
        raise RuntimeError(f"sqlite3 failed: {out.stderr.strip()}\n{sql[:500]}")
    return [line.split("\t") for line in out.stdout.splitlines()]


class Store:
    """One backend's fresh store and the SQL run on it outside authd."""

    def __init__(self, backend: str, work: Path, n: int):
        self.backend = backend
        self.db = f"{MYSQL_DB}_{n}"
        self.data = work / f"data-{backend}-{n}"
        self.file = self.data / "authd.sqlite3"

    def reset(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        if self.backend == "mysql":
            mysql(f"DROP DATABASE IF EXISTS {self.db}; CREATE DATABASE {self.db}", db=None)

    def drop(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)
        if self.backend == "mysql":
            mysql(f"DROP DATABASE IF EXISTS {self.db}", db=None)

    def query(self, sql: str) -> list[list[str]]:
        return mysql(sql, self.db) if self.backend == "mysql" else sqlite(self.file, sql)

    def env(self) -> dict[str, str]:
        url = f"mysql://root@127.0.0.1:3306/{self.db}"
        return {"DATABASE_URL": url} if self.backend == "mysql" else {}


# ---------------------------------------------------------------------------------------------
# authd


class Authd:
    def __init__(self, binary: Path, store: Store, log: Path, port: int,
                 extra: dict[str, str] | None = None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHD_")}
        env.pop("DATABASE_URL", None)
        env.update(
            PORT=str(port),
            AUTHD_BIND="127.0.0.1",
            AUTHD_DATA_DIR=str(store.data),
            AUTHD_BCRYPT_COST=str(BCRYPT_COST),
            AUTHD_JWT_SECRET=SECRET,
            RUST_LOG="warn",
            AUTHD_BOOTSTRAP_ADMIN_USERNAME=ADMIN[0],
            AUTHD_BOOTSTRAP_ADMIN_EMAIL=ADMIN[1],
            AUTHD_BOOTSTRAP_ADMIN_PASSWORD=PASSWORD,
            AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE="0",
            AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE="0",
            AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE="0",
            AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE="0",
        )
        env.update(store.env())
        env.update(extra or {})
        self.log = log.open("ab")
        use_port(port)
        t0 = time.monotonic()
        self.proc = subprocess.Popen([str(binary)], env=env, stdout=self.log, stderr=self.log)
        deadline = t0 + 300
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"authd exited early ({self.proc.returncode}); see {log}")
            try:
                if get("/api/test/all")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("authd did not become ready in 300 s")
        self.startup_s = time.monotonic() - t0

    def rss_kib(self) -> dict[str, int]:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        found = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M))
        return {"rss_kib": int(found["VmRSS"]), "hwm_kib": int(found["VmHWM"])}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# HTTP (keep-alive, one connection, timed per request)

_conns: dict[int, http.client.HTTPConnection] = {}
_port = PORT


def use_port(port: int) -> None:
    """Sends the following requests to the authd on `port`."""
    global _port
    _port = port


def request(method: str, path: str, body: dict | None = None, token: str | None = None):
    """(status, parsed JSON or None, seconds), over a kept-alive connection to `_port`."""
    _conn = _conns.get(_port)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["x-access-token"] = token
    data = json.dumps(body).encode() if body is not None else None
    for attempt in (0, 1):
        if _conn is None:
            _conn = _conns[_port] = http.client.HTTPConnection("127.0.0.1", _port, timeout=60)
        try:
            t0 = time.perf_counter()
            _conn.request(method, path, body=data, headers=headers)
            res = _conn.getresponse()
            raw = res.read()
            elapsed = time.perf_counter() - t0
            break
        except (OSError, http.client.HTTPException):
            _conn.close()
            _conns.pop(_port, None)
            _conn = None
            if attempt:
                raise
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return res.status, parsed, elapsed


def get(path: str, token: str | None = None):
    return request("GET", path, token=token)


def signin(username: str) -> tuple[int, str | None, float]:
    status, body, t = request("POST", "/api/auth/signin", {"username": username, "password": PASSWORD})
    return status, (body or {}).get("accessToken") if isinstance(body, dict) else None, t


def reset_http() -> None:
    for conn in _conns.values():
        conn.close()
    _conns.clear()


# ---------------------------------------------------------------------------------------------
# Bulk load


def key_of(name: str) -> str:
    """authcore::identity::{username_key,email_key} for the ASCII names generated here.

    Both keys are trim + (PRECIS width mapping) + lowercase + NFC; for lowercase ASCII letters,
    digits, '@' and '.' every step is the identity, which is asserted rather than assumed. The
    run also checks it through authd: a signup with a loaded name in upper case is refused.
    """
    key = unicodedata.normalize("NFC", name.strip().lower())
    if key != name or not re.fullmatch(r"[a-z0-9@.]+", name):
        raise ValueError(f"{name!r} is not its own key")
    return key


def bulk_file(path: Path, first_id: int, count: int, pw_hash: str) -> None:
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    key_of(f"u{first_id:07d}")
    key_of(f"u{first_id:07d}@scale.test")
    with path.open("w") as f:
        for uid in range(first_id, first_id + count):
            name = f"u{uid:07d}"  # lowercase ASCII: key == name (key_of, checked above)
            email = f"{name}@scale.test"
            f.write(f"{uid}\t{name}\t{email}\t{pw_hash}\t{name}\t{email}\t{now}\t{now}\n")


def bulk_load(store: Store, work: Path, n: int, pw_hash: str) -> dict:
    """Loads users up to N in all (ids max+1..), role user for all, admin for the token users."""
    existing = int(store.query("SELECT COUNT(*) FROM users")[0][0])
    first = int(store.query("SELECT COALESCE(MAX(id), 0) FROM users")[0][0]) + 1
    count = n - existing
    tsv = work / "users.tsv"
    t0 = time.monotonic()
    bulk_file(tsv, first, count, pw_hash)
    gen_s = time.monotonic() - t0
    last = first + count - 1
    tokens_to = first + RANGES * TOKEN_USERS - 1
    admins_to = tokens_to if tokens_to <= last else first - 1
    cols = "id, username, email, password, username_key, email_key, createdAt, updatedAt"
    t0 = time.monotonic()
    if store.backend == "mysql":
        store_sql = f"""
SET unique_checks = 0; SET foreign_key_checks = 0;
LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE users FIELDS TERMINATED BY '\\t' ({cols});
INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
  SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), r.id, u.id FROM users AS u JOIN roles AS r
  WHERE u.id BETWEEN {first} AND {last} AND r.name = 'user';
INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
  SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP(), r.id, u.id FROM users AS u JOIN roles AS r
  WHERE u.id BETWEEN {first} AND {admins_to} AND r.name = 'admin';
ANALYZE TABLE users, user_roles;
"""
        mysql(store_sql, store.db, local_infile=True)
    else:
        store_sql = f"""
PRAGMA journal_mode = WAL;
DROP TABLE IF EXISTS scale_stage;
CREATE TABLE scale_stage (id, username, email, password, username_key, email_key, createdAt,
  updatedAt);
.mode tabs
.import {tsv} scale_stage
BEGIN;
INSERT INTO users ({cols}) SELECT CAST(id AS INTEGER), username, email, password, username_key,
  email_key, createdAt, updatedAt FROM scale_stage;
INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
  SELECT u.createdAt, u.createdAt, r.id, u.id FROM users AS u JOIN roles AS r
  WHERE u.id BETWEEN {first} AND {last} AND r.name = 'user';
INSERT INTO user_roles (createdAt, updatedAt, roleId, userId)
  SELECT u.createdAt, u.createdAt, r.id, u.id FROM users AS u JOIN roles AS r
  WHERE u.id BETWEEN {first} AND {admins_to} AND r.name = 'admin';
DROP TABLE scale_stage;
COMMIT;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
"""
        sqlite(store.file, store_sql)
    load_s = time.monotonic() - t0
    tsv.unlink()
    total = int(store.query("SELECT COUNT(*) FROM users")[0][0])
    if total != n:
        raise RuntimeError(f"loaded {total} users, wanted {n}")
    return {
        "first_id": first,
        "last_id": last,
        "loaded": count,
        "admin_token_users": [first, admins_to] if admins_to >= first else None,
        "generate_s": round(gen_s, 2),
        "load_s": round(load_s, 2),
    }


# ---------------------------------------------------------------------------------------------
# Measurements


def p50_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 3)


def summary(times: list[float]) -> dict:
    s = sorted(times)
    return {
        "n": len(s),
        "p50_ms": p50_ms(s),
        "p90_ms": round(s[int(len(s) * 0.9) - 1] * 1000, 3),
        "min_ms": round(s[0] * 1000, 3),
        "max_ms": round(s[-1] * 1000, 3),
    }


def interleaved(ports: dict[int, int], call, requests: int, block: int = 10) -> dict[int, dict]:
    """`call(n, i)` -> seconds, `requests` times for each user count n, alternating between the
    authd instances (`ports`: n -> port) in blocks of `block`, first block of each discarded as
    warm-up; machine noise then hits every n alike."""
    times: dict[int, list[float]] = {n: [] for n in ports}
    order = list(ports)
    for b in range(requests // block + 1):
        for n in order if b % 2 == 0 else reversed(order):
            use_port(ports[n])
            for i in range(b * block, (b + 1) * block):
                t = call(n, i)
                if b > 0:
                    times[n].append(t)
    return {n: summary(t) for n, t in times.items()}


def signin_call(ids: dict[int, list[int]]):
    def call(n: int, i: int) -> float:
        uid = ids[n][i % len(ids[n])]
        status, token, t = signin(f"u{uid:07d}")
        if status != 200 or not token:
            raise RuntimeError(f"signin of u{uid:07d}: {status}")
        return t
    return call


def signup_call(n: int, i: int) -> float:
    name = f"s{n}x{i:05d}"
    body = {"username": name, "email": f"{name}@scale.test", "password": PASSWORD}
    status, _, t = request("POST", "/api/auth/signup", body)
    if status != 200:
        raise RuntimeError(f"signup of {name}: {status}")
    return t


def keys_check(uid: int) -> dict:
    """Signups that must be refused if the loaded keys are what authd computes."""
    name = f"u{uid:07d}"
    upper = {"username": name.upper(), "email": f"fresh{uid}@scale.test", "password": PASSWORD}
    dup_email = {"username": f"fresh{uid}", "email": f"{name}@SCALE.TEST", "password": PASSWORD}
    s1 = request("POST", "/api/auth/signup", upper)[0]
    s2 = request("POST", "/api/auth/signup", dup_email)[0]
    s3 = signin(name.upper())[0]
    ok = s1 == 400 and s2 == 400 and s3 == 200
    if not ok:
        raise RuntimeError(f"loaded keys differ from authd's: signup {s1}, {s2}; signin {s3}")
    return {"upper_username_signup": s1, "upper_email_signup": s2, "upper_username_signin": s3}


def listing(token: str, query: str, reps: int = 5) -> dict:
    """Median of `reps` timed GETs of the listing (after one warm-up); non-200s are kept."""
    times, ids, statuses = [], None, []
    get(f"/api/admin/users?{query}", token)  # warm-up
    for _ in range(reps):
        status, body, t = get(f"/api/admin/users?{query}", token)
        statuses.append(status)
        times.append(t)
        if status == 200:
            ids = [u["id"] for u in body["users"]]
    return {"query": query, "rows": len(ids) if ids is not None else None,
            "first_id": ids[0] if ids else None, "statuses": sorted(set(statuses)),
            "p50_ms": p50_ms(times), "min_ms": round(min(times) * 1000, 3), "ids": ids}


def measure_listing(token: str, n: int, first_id: int) -> dict:
    page = n // 100  # offset = page * 100 = n
    base = listing(token, "page=0&size=100")
    deep = listing(token, f"page={page}&size=100")
    # Ids 1..n are contiguous (admin, template user, bulk load from first_id), so the keyset
    # cursor of offset n is n even when the deep offset page itself failed.
    if first_id > n:
        raise RuntimeError("ids are not contiguous")
    after = deep["first_id"] - 1 if deep["first_id"] else n
    keyset = listing(token, f"after={after}&size=100")
    keyset0 = listing(token, "after=0&size=100")
    same = None
    if deep["ids"] is not None and base["ids"] is not None:
        same = deep["ids"] == keyset["ids"] and base["ids"] == keyset0["ids"]
        if not same:
            raise RuntimeError("keyset slice differs from the offset page it replaces")
    for r in (base, deep, keyset, keyset0):
        r.pop("ids")
    return {"offset": page * 100, "offset_0": base, "offset_deep": deep,
            "keyset_start": keyset0, "keyset_deep": keyset, "same_rows": same}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_tokens(template: str, ids: range, path: Path) -> None:
    """Tokens for `ids`: the template token's header and claims with `id` replaced, HS256-signed
    with the bench secret (what authd itself would issue to those users)."""
    head_b64, claims_b64, _ = template.split(".")
    claims = json.loads(base64.urlsafe_b64decode(claims_b64 + "=" * (-len(claims_b64) % 4)))
    if "id" not in claims:
        raise RuntimeError(f"unexpected claims {sorted(claims)}")
    key = SECRET.encode()
    with path.open("w") as f:
        for uid in ids:
            claims["id"] = uid
            body = f"{head_b64}.{b64(json.dumps(claims, separators=(',', ':')).encode())}"
            sig = hmac.new(key, body.encode(), hashlib.sha256).digest()
            f.write(f"{body}.{b64(sig)}\n")


def questions() -> int:
    return int(mysql("SHOW GLOBAL STATUS LIKE 'Questions'", db=None)[0][1])


def commands() -> dict[str, int]:
    """MariaDB's Com_* counters (which statements and protocol commands ran)."""
    return {k: int(v) for k, v in mysql("SHOW GLOBAL STATUS LIKE 'Com\\_%'", db=None)}


def wrk(path: str, tokens: Path, seconds: int) -> dict:
    env = dict(os.environ, SCALE_TOKENS=str(tokens))
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-s", str(HERE / "rotate.lua"),
         f"http://127.0.0.1:{_port}{path}"],
        env=env, capture_output=True, text=True, timeout=seconds + 60,
    )
    for line in out.stdout.splitlines():
        if line.startswith("SCALEJSON "):
            return json.loads(line.split(" ", 1)[1])
    raise RuntimeError(f"wrk gave no result: {out.stdout} {out.stderr}")


def measure_admin(store: Store, authd: Authd, work: Path, template: str, first: int,
                  seconds: int, ranges: int) -> dict:
    """/api/test/admin over tokens of 10^5 distinct users (every request a role-cache miss: a
    user comes back every 10^5 requests, later than the 1 s TTL), then over two more sets of 10^5
    other users; RSS after each (the cache holds at most AUTHD_ROLE_CACHE_CAPACITY = 100,000)."""
    runs = []
    rss_before = authd.rss_kib()
    for k in range(ranges):
        toks = work / f"tokens-{k}.txt"
        lo = first + k * TOKEN_USERS
        mint_tokens(template, range(lo, lo + TOKEN_USERS), toks)
        status = get("/api/test/admin", toks.read_text().split("\n", 1)[0])[0]
        if status != 200:
            raise RuntimeError(f"minted token refused: {status}")
        mysql_side = store.backend == "mysql"
        if mysql_side:
            q0 = questions()
            time.sleep(seconds)  # the server's background rate (other clients), same length
            q1, c1 = questions(), commands()
        res = wrk("/api/test/admin", toks, seconds)
        if mysql_side:
            q2, c2 = questions(), commands()
            dur = res["duration_us"] / 1e6
            res["store_questions_per_s"] = round((q2 - q1) / dur, 1)
            res["background_questions_per_s"] = round((q1 - q0) / seconds, 1)
            res["questions_per_request"] = round((q2 - q1 - (q1 - q0) * dur / seconds)
                                                 / max(res["requests"], 1), 3)
            per_req = {k: round((c2[k] - c1[k]) / max(res["requests"], 1), 3) for k in c2}
            res["commands_per_request"] = {k: v for k, v in per_req.items() if v >= 0.05}
        res["label"] = f"users {lo}..{lo + TOKEN_USERS - 1}"
        res.update(authd.rss_kib())
        runs.append(res)
        toks.unlink()
    return {"seconds": seconds, "connections": 16, "rss_before": rss_before, "runs": runs}


# ---------------------------------------------------------------------------------------------
# EXPLAIN

ADAPTER = {"mysql": ROOT / "server/src/store/mysql", "sqlite": ROOT / "server/src/store/sqlite"}
# (label, file, const, sample arguments)
LOOKUPS = [
    ("signin: user by name", "mod.rs", "USER_BY_NAME", ["'u0000500'", "'u0000500'", "'u0000500'"]),
    ("signup: username taken?", "mod.rs", "USERNAME_EXISTS", ["'u0000500'"]),
    ("signup: email taken?", "mod.rs", "EMAIL_EXISTS", ["'u0000500@scale.test'"]),
    ("role fetch (role-cache miss)", "lifecycle.rs", "ACCESS", ["500"]),
    ("roles by id", "mod.rs", "ROLES_BY_ID", ["500"]),
    ("admin list: offset page", "admin.rs", "PAGE", ["100", "1000000"]),
    ("admin list: total", "admin.rs", "COUNT", []),
    ("admin list: keyset slice", "admin.rs", "PAGE_AFTER", ["1000000", "100"]),
]


def adapter_sql(backend: str, file: str, const: str) -> str:
    text = (ADAPTER[backend] / file).read_text()
    m = re.search(rf'const {const}: &str =\s*"(.*?)";', text, re.S)
    if not m:
        raise RuntimeError(f"{const} not found in {file}")
    return " ".join(m.group(1).split())


def bind(sql: str, args: list[str], backend: str) -> str:
    if backend == "sqlite":
        return re.sub(r"\?(\d+)", lambda m: args[int(m.group(1)) - 1], sql)
    it = iter(args)
    return re.sub(r"\?", lambda _: next(it), sql)


def explain(store: Store) -> list[dict]:
    out = []
    for label, file, const, args in LOOKUPS:
        sql = bind(adapter_sql(store.backend, file, const), args, store.backend)
        if store.backend == "mysql":
            cols = ["id", "select_type", "table", "type", "possible_keys", "key", "key_len",
                    "ref", "rows", "Extra"]
            rows = [dict(zip(cols, r)) for r in mysql(f"EXPLAIN {sql}", store.db)]
            plan = [f"{r['table']}: {r['type']} key={r['key']} rows={r['rows']}"
                    + (f" ({r['Extra']})" if r["Extra"] != "NULL" else "") for r in rows]
            full_scan = any(r["type"] in ("ALL", "index") and r["table"] in ("users", "u")
                            for r in rows)
        else:
            rows = sqlite(store.file, f"EXPLAIN QUERY PLAN {sql};")
            # The CLI draws the plan as a tree: keep each node's text.
            plan = [re.sub(r"^[|`\s-]+", "", "\t".join(r)) for r in rows]
            plan = [p for p in plan if p and p != "QUERY PLAN"]
            # `u` is users' alias, except where it names a subquery (CO-ROUTINE/MATERIALIZE u).
            sub = any(re.match(r"(CO-ROUTINE|MATERIALIZE) u$", p) for p in plan)
            full_scan = any(re.match(r"SCAN users\b", p) or (not sub and re.match(r"SCAN u\b", p))
                            for p in plan)
        out.append({"lookup": label, "const": f"{file}:{const}", "sql": sql, "plan": plan,
                    "scans_users": full_scan})
    return out


# ---------------------------------------------------------------------------------------------
# One backend at every N


def prepare(binary: Path, store: Store, n: int, work: Path, port: int) -> dict:
    """A store with authd's schema and n users; authd is not running afterwards."""
    log = work / f"authd-{store.backend}-{n}.log"
    note(f"{store.backend} N={n}: creating the schema with authd")
    store.reset()
    authd = Authd(binary, store, log, port)
    try:
        # One user signed up through authd gives the shared cost-4 hash of PASSWORD.
        status = request("POST", "/api/auth/signup",
                         {"username": "hashsource", "email": "hashsource@scale.test",
                          "password": PASSWORD})[0]
        if status != 200:
            raise RuntimeError(f"template signup: {status}")
    finally:
        authd.stop()
        reset_http()
    pw_hash = store.query("SELECT password FROM users WHERE username = 'hashsource'")[0][0]
    if not re.fullmatch(r"\$2[aby]\$0?4\$.{53}", pw_hash):
        raise RuntimeError(f"unexpected hash shape {pw_hash[:7]}")
    note(f"{store.backend} N={n}: bulk-loading")
    load = bulk_load(store, work, n, pw_hash)
    note(f"{store.backend} N={n}: loaded in {load['load_s']} s")
    return load


def run_backend(binary: Path, backend: str, ns: list[int], work: Path, args) -> list[dict]:
    """Every n loaded at once and served by its own authd: signin and signup are timed
    alternately across the n; the rest runs one n at a time."""
    stores = {n: Store(backend, work, n) for n in ns}
    ports = {n: PORT + i for i, n in enumerate(ns)}
    logs = {n: work / f"authd-{backend}-{n}.log" for n in ns}
    servers: dict[int, Authd] = {}
    cases: dict[int, dict] = {}
    try:
        for n in ns:
            load = prepare(binary, stores[n], n, work, ports[n])
            cases[n] = {"backend": backend, "users": n, "load": load}
        for n in ns:
            servers[n] = Authd(binary, stores[n], logs[n], ports[n])
            cases[n]["authd_startup_s"] = round(servers[n].startup_s, 2)
        ids = {}
        for n in ns:
            rng = random.Random(n)
            first, last = cases[n]["load"]["first_id"], cases[n]["load"]["last_id"]
            ids[n] = [rng.randint(first, last) for _ in range(args.requests + 10)]
            use_port(ports[n])
            cases[n]["keys_check"] = keys_check(ids[n][0])
        note(f"{backend}: signin x{args.requests} per N, alternating")
        for n, r in interleaved(ports, signin_call(ids), args.requests).items():
            cases[n]["signin"] = r
        note(f"{backend}: signup x{args.requests} per N, alternating")
        for n, r in interleaved(ports, signup_call, args.requests).items():
            cases[n]["signup"] = r
        for n in ns:
            store, load, result = stores[n], cases[n]["load"], cases[n]
            use_port(ports[n])
            admin_token = signin_admin()[1]
            result["explain"] = explain(store)
            note(f"{backend} N={n}: admin listing")
            result["listing"] = measure_listing(admin_token, n, load["first_id"])
            if load["admin_token_users"]:
                note(f"{backend} N={n}: /api/test/admin over {RANGES} x 1e5 tokens")
                result["admin"] = measure_admin(store, servers[n], work, admin_token,
                                                load["first_id"], args.wrk_seconds, RANGES)
            result["rss_end"] = servers[n].rss_kib()
            if load["admin_token_users"]:
                servers[n].stop()
                reset_http()
                note(f"{backend} N={n}: /api/test/admin over {NO_CACHE_RANGES} x 1e5 tokens, "
                     "role cache off")
                servers[n] = Authd(binary, store, logs[n], ports[n],
                                   {"AUTHD_ROLE_CACHE_MS": "0"})
                result["admin_no_cache"] = measure_admin(store, servers[n], work, admin_token,
                                                         load["first_id"], args.wrk_seconds,
                                                         NO_CACHE_RANGES)
    finally:
        for server in servers.values():
            server.stop()
        reset_http()
        if not args.keep:
            for store in stores.values():
                store.drop()
    return [cases[n] for n in ns]


def signin_admin():
    status, token, t = signin(ADMIN[0])
    if status != 200 or not token:
        raise RuntimeError(f"admin signin: {status}")
    return status, token, t


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "mem_gib": round(int(mem.group(1)) / 2**20, 1) if mem else None,
        "kernel": platform.release(),
        "mariadb": mysql("SELECT VERSION()", db=None)[0][0],
        "innodb_buffer_pool_mib": int(mysql("SELECT @@innodb_buffer_pool_size", db=None)[0][0])
        // 2**20,
        "sqlite3_cli": subprocess.run(["sqlite3", "--version"], capture_output=True,
                                      text=True).stdout.split()[0],
        "loadavg_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                          text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--authd", type=Path, required=True)
    ap.add_argument("--users", default="1000,1000000")
    ap.add_argument("--backends", default="mysql,sqlite")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=ROOT / "benches/results/scale.json")
    ap.add_argument("--command", default="")
    ap.add_argument("--note", default="")
    ap.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    args = ap.parse_args()
    # A timeout's SIGTERM unwinds like an error, so authd is stopped and the store dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.work.mkdir(parents=True, exist_ok=True)
    doc = {
        "bench": "scale",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "command": args.command,
        "note": args.note,
        "machine": machine(),
        "settings": {"bcrypt_cost": BCRYPT_COST, "requests": args.requests,
                     "rate_limits": "off", "role_cache_ms": 1000,
                     "role_cache_capacity": 100_000, "token_users": TOKEN_USERS,
                     "token_ranges": RANGES, "no_cache_token_ranges": NO_CACHE_RANGES},
        "cases": [],
    }
    ns = [int(x) for x in args.users.split(",")]
    for backend in args.backends.split(","):
        doc["cases"] += run_backend(args.authd, backend, ns, args.work, args)
        doc["elapsed_s"] = round(time.time() - STARTED)
        args.out.write_text(json.dumps(doc, indent=2) + "\n")
    doc["machine"]["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    note(f"wrote {args.out}")


if __name__ == "__main__":
    main()
