#!/usr/bin/env python3
"""End-to-end checks of three authd on a 3-node Galera cluster behind HAProxy (stdlib only).

Run by tests/galera/run.sh once the harness is up (lib.sh has the ports). Each check prints its
counts and a `PASS`/`FAIL` line; the exit status is the number of failed checks (capped at 100).

    python3 tests/galera/e2e.py [CHECK ...]     # default: every check, in order

Env: GALERA_RACES (refresh races, default 300), GALERA_STALE_TRIES (default 1000),
GALERA_SIGNUP_ROUNDS (default 20).
"""

import hashlib
import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
AUTHD = {1: 8321, 2: 8322, 3: 8323}
MYSQL = {1: 3320, 2: 3321, 3: 3322}
HAPROXY = 8320
HAPROXY_STATS = 8329
DB = os.environ.get("GALERA_DB", "authd")
PASSWORD = "Galera-test-pw1"
RUN = secrets.token_hex(3)  # keeps usernames of separate runs apart

_local = threading.local()


def request(port, method, path, body=None, timeout=10.0):
    """One request on this thread's keep-alive connection to `port`: (status, headers, json|None).

    A connection failure is status 0."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    for attempt in (1, 2):
        conn = conns.get(port)
        if conn is None:
            conn = conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"content-type": "application/json"} if data else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            return resp.status, dict(resp.getheaders()), parsed
        except (OSError, http.client.HTTPException):
            conn.close()
            conns.pop(port, None)
            if attempt == 2:
                return 0, {}, None
    return 0, {}, None


def signup(port, username, email=None):
    return request(port, "POST", "/api/auth/signup",
                   {"username": username, "email": email or f"{username}@galera.test",
                    "password": PASSWORD})


def signin(port, username):
    return request(port, "POST", "/api/auth/signin", {"username": username, "password": PASSWORD})


def refresh(port, token):
    return request(port, "POST", "/api/auth/refreshtoken", {"refreshToken": token})


def readyz(port):
    return request(port, "GET", "/readyz", timeout=5.0)[0]


def sql(node, query):
    """Rows of `query` on node `node` (tab-separated strings); None when the node does not answer."""
    out = subprocess.run(
        ["mariadb", "--protocol=tcp", "-h127.0.0.1", f"-P{MYSQL[node]}", "-uroot",
         "--connect-timeout=3", "-N", "-B", DB, "-e", query],
        capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        return None
    return [line.split("\t") for line in out.stdout.splitlines()]


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def cluster(*args):
    subprocess.run(["bash", os.path.join(HERE, "cluster.sh"), *args], check=True)


def wait_for(what, pred, timeout):
    """Polls `pred` every 0.2 s; the seconds it took, or None on timeout."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if pred():
            return round(time.monotonic() - t0, 1)
        time.sleep(0.2)
    print(f"  timed out after {timeout}s waiting for {what}")
    return None


def haproxy_states():
    """{server: status} from the HAProxy stats CSV."""
    conn = http.client.HTTPConnection("127.0.0.1", HAPROXY_STATS, timeout=3)
    try:
        conn.request("GET", "/stats;csv")
        text = conn.getresponse().read().decode()
    except OSError:
        return {}
    finally:
        conn.close()
    states = {}
    for line in text.splitlines():
        cols = line.split(",")
        if len(cols) > 17 and cols[0] == "authd" and cols[1] not in ("FRONTEND", "BACKEND"):
            states[cols[1]] = cols[17]
    return states


def fmt(counter):
    return " ".join(f"{k}:{v}" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0])))


# ---------------------------------------------------------------------------------------------
# Checks: each returns True (pass) or False and prints its counts.

def check_signup_race():
    """N parallel signups of one username over the three nodes: one 200, the rest 400, one row."""
    rounds = int(os.environ.get("GALERA_SIGNUP_ROUNDS", "20"))
    per_round = 30
    totals, bad_rounds, bad_rows = Counter(), 0, 0
    with ThreadPoolExecutor(per_round) as pool:
        for r in range(rounds):
            name = f"sr{RUN}{r}"
            barrier = threading.Barrier(per_round)

            def one(i, name=name, barrier=barrier):
                barrier.wait()
                # Distinct emails: an identical signup of the winner is a replay (200).
                return signup(AUTHD[1 + i % 3], name, f"{name}.{i}@galera.test")[0]

            codes = Counter(pool.map(one, range(per_round)))
            totals.update(codes)
            if codes.get(200) != 1 or codes.get(400) != per_round - 1:
                bad_rounds += 1
            for node in (1, 2, 3):
                rows = sql(node, f"SELECT COUNT(*) FROM users WHERE username='{name}'")
                if rows != [["1"]]:
                    bad_rows += 1
    print(f"  {rounds} rounds x {per_round}: {fmt(totals)}; rounds not 1x200+rest 400: {bad_rounds}; "
          f"node tables without exactly one row: {bad_rows}")
    return bad_rounds == 0 and bad_rows == 0


def check_read_your_writes():
    """Signup on node i then at once signin on node i+1; signin then refresh on node i+2."""
    tries = int(os.environ.get("GALERA_STALE_TRIES", "1000"))

    def one(i):
        a, b, c = 1 + i % 3, 1 + (i + 1) % 3, 1 + (i + 2) % 3
        name = f"rw{RUN}{i}"
        s_up = signup(AUTHD[a], name)[0]
        if s_up != 200:
            return s_up, None, None
        s_in, _, body = signin(AUTHD[b], name)
        if s_in != 200 or not body:
            return s_up, s_in, None
        s_ref = refresh(AUTHD[c], body.get("refreshToken", ""))[0]
        return s_up, s_in, s_ref

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(one, range(tries)))
    ups = Counter(r[0] for r in results)
    ins = Counter(r[1] for r in results if r[1] is not None)
    refs = Counter(r[2] for r in results if r[2] is not None)
    stale_signin = ins.get(404, 0)
    stale_refresh = refs.get(403, 0)
    print(f"  {tries} tries: signup {fmt(ups)}; signin on the next node {fmt(ins)} "
          f"(stale 404: {stale_signin}); refresh on the third node {fmt(refs)} (stale 403: {stale_refresh})")
    return ups.get(200) == tries and ins.get(200) == tries and refs.get(200) == tries


def check_refresh_race():
    """The same refresh token presented 90-way at once over the three nodes, GALERA_RACES times."""
    races = int(os.environ.get("GALERA_RACES", "300"))
    width = 90
    name = f"rr{RUN}"
    if signup(HAPROXY, name)[0] != 200:
        print("  could not sign up the race user")
        return False
    totals, winners, phantoms, broken, no_winner, multi = Counter(), 0, 0, 0, 0, 0
    over_cap = 0
    with ThreadPoolExecutor(width) as pool:
        for r in range(races):
            status, _, body = signin(AUTHD[1 + r % 3], name)
            if status != 200:
                totals[f"signin {status}"] += 1
                continue
            token = body["refreshToken"]
            barrier = threading.Barrier(width)

            def one(i, token=token, barrier=barrier):
                barrier.wait()
                s, _, b = refresh(AUTHD[1 + i % 3], token)
                return s, (b or {}).get("refreshToken") if s == 200 else None

            out = list(pool.map(one, range(width)))
            totals.update(s for s, _ in out)
            new = [t for s, t in out if s == 200 and t]
            winners += len(new)
            no_winner += not new
            multi += len(new) > 1
            over_cap += len(new) > LIVE_TOKENS_PER_FAMILY
            for t in new:
                h = token_hash(t)
                stored = [sql(n, f"SELECT COUNT(*) FROM refresh_tokens WHERE token_hash='{h}'") for n in (1, 2, 3)]
                if all(rows == [["0"]] for rows in stored):
                    phantoms += 1
                elif refresh(AUTHD[1 + r % 3], t)[0] != 200:
                    broken += 1  # stored, but does not work
    print(f"  {races} races x {width}: {fmt(totals)}; successors issued {winners}, races with no 200 "
          f"{no_winner}, with >1 200 {multi} (idempotent retries within the reuse grace), with more "
          f"than {LIVE_TOKENS_PER_FAMILY} {over_cap}; PHANTOMS {phantoms}; stored successors that "
          f"failed to refresh {broken}")
    return phantoms == 0 and broken == 0 and over_cap == 0 and totals.get(500, 0) == 0


# authcore::refresh::MAX_LIVE_TOKENS_PER_FAMILY: within the reuse grace one presented token may win
# up to this many times (a client retrying after a lost answer), never more.
LIVE_TOKENS_PER_FAMILY = 4


def check_not_ready_node():
    """A node cut off from the cluster (gmcast.isolate=1): 503 JSON, /readyz 503, recovery."""
    ok = True
    name = f"nr{RUN}"
    subprocess.run(["mariadb", "--protocol=tcp", "-h127.0.0.1", f"-P{MYSQL[3]}", "-uroot", "-e",
                    "SET GLOBAL wsrep_provider_options='gmcast.isolate=1'"], check=True)
    try:
        took = wait_for("node 3 to leave the primary component",
                        lambda: sql(3, "SHOW STATUS LIKE 'wsrep_ready'") == [["wsrep_ready", "OFF"]], 30)
        ok &= took is not None
        up = signup(AUTHD[3], name)
        inn = signin(AUTHD[3], "nobody" + RUN)
        rz = readyz(AUTHD[3])
        print(f"  isolated node 3 (non-primary after {took}s): signup {up[0]} {up[2]} "
              f"Retry-After={up[1].get('retry-after')}; signin {inn[0]} {inn[2]}; /readyz {rz}")
        ok &= up[0] == 503 and isinstance(up[2], dict) and inn[0] == 503 and rz == 503
        ok &= "retry-after" in {k.lower() for k in up[1]}
        hap = wait_for("HAProxy to mark a3 DOWN", lambda: haproxy_states().get("a3") == "DOWN", 15)
        through = Counter(signup(HAPROXY, f"nh{RUN}{i}")[0] for i in range(30))
        print(f"  HAProxy marked a3 DOWN after {hap}s; 30 signups through HAProxy: {fmt(through)}")
        ok &= hap is not None and through.get(200) == 30
    finally:
        subprocess.run(["mariadb", "--protocol=tcp", "-h127.0.0.1", f"-P{MYSQL[3]}", "-uroot", "-e",
                        "SET GLOBAL wsrep_provider_options='gmcast.isolate=0'"], check=False)
    back = wait_for("authd3 /readyz 200 again", lambda: readyz(AUTHD[3]) == 200, 60)
    after = signup(AUTHD[3], name)[0]
    print(f"  rejoined: /readyz 200 after {back}s (no restart); signup on authd3 {after}")
    return bool(ok) and back is not None and after == 200


class Load:
    """Signups and signins through HAProxy until stopped; remembers acknowledged signups."""

    def __init__(self, workers=6, port=HAPROXY, prefix="ld"):
        self.stop = threading.Event()
        self.codes = Counter()
        self.acked = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(w, port, prefix)) for w in range(workers)]

    def run(self, w, port, prefix):
        i = 0
        while not self.stop.is_set() and i < 100000:
            name = f"{prefix}{RUN}{w}x{i}"
            s = signup(port, name)[0]
            s2 = signin(port, name)[0] if s == 200 else None
            with self.lock:
                self.codes[f"signup {s}"] += 1
                if s == 200:
                    self.acked.append(name)
                    self.codes[f"signin {s2}"] += 1
            i += 1
            if s != 200:
                time.sleep(0.05)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def missing_acked(names, nodes):
    """Acknowledged usernames not found on every node of `nodes`."""
    missing = 0
    for chunk in range(0, len(names), 500):
        part = names[chunk:chunk + 500]
        quoted = ",".join(f"'{n}'" for n in part)
        for node in nodes:
            rows = sql(node, f"SELECT COUNT(*) FROM users WHERE username IN ({quoted})")
            if rows is None:
                return len(names)
            missing += len(part) - int(rows[0][0])
    return missing


def check_kill_node():
    """kill -9 of node 2's mariadbd under load: no 500, nothing acknowledged lost, routing."""
    with Load() as load:
        time.sleep(3)
        cluster("kill", "2")
        t_kill = time.monotonic()
        down = wait_for("authd2 /readyz 503", lambda: readyz(AUTHD[2]) == 503, 20)
        hap = wait_for("HAProxy to mark a2 DOWN", lambda: haproxy_states().get("a2") == "DOWN", 20)
        size = wait_for("survivors to see cluster size 2",
                        lambda: sql(1, "SHOW STATUS LIKE 'wsrep_cluster_size'") == [["wsrep_cluster_size", "2"]], 30)
        time.sleep(2)
        with load.lock:
            before_steady = Counter(load.codes)
        time.sleep(5)
        with load.lock:
            steady = Counter(load.codes) - before_steady
        during = round(time.monotonic() - t_kill, 1)
        cluster("start", "2")
        up = wait_for("authd2 /readyz 200", lambda: readyz(AUTHD[2]) == 200, 60)
        hap_up = wait_for("HAProxy to mark a2 UP", lambda: haproxy_states().get("a2") == "UP", 20)
        time.sleep(2)
    codes = load.codes
    lost = missing_acked(load.acked, (1, 2, 3))
    errors_500 = codes.get("signup 500", 0) + codes.get("signin 500", 0)
    not_ok_steady = sum(v for k, v in steady.items() if not k.endswith(" 200"))
    print(f"  load through HAProxy: {fmt(codes)}")
    print(f"  after kill -9: authd2 /readyz 503 after {down}s, HAProxy a2 DOWN after {hap}s, "
          f"cluster size 2 after {size}s; 5 s once settled: {fmt(steady)}; node 2 restarted "
          f"{during}s after the kill, /readyz 200 after {up}s, HAProxy a2 UP after {hap_up}s")
    print(f"  acknowledged signups {len(load.acked)}, missing on some node: {lost}")
    return (errors_500 == 0 and lost == 0 and down is not None and hap is not None
            and size is not None and not_ok_steady == 0 and up is not None and hap_up is not None)


def check_quorum_loss():
    """kill -9 of nodes 2 and 3: node 1 non-primary → 503 and /readyz 503; bootstrap; rejoin."""
    ok = True
    acked = [f"ql{RUN}{i}" for i in range(20)]
    pre = Counter(signup(HAPROXY, n)[0] for n in acked)
    cluster("kill", "2")
    cluster("kill", "3")
    nonprim = wait_for("node 1 non-primary",
                       lambda: sql(1, "SHOW STATUS LIKE 'wsrep_ready'") == [["wsrep_ready", "OFF"]], 30)
    rz = wait_for("authd1 /readyz 503", lambda: readyz(AUTHD[1]) == 503, 15)
    up = signup(AUTHD[1], f"qx{RUN}")
    inn = signin(AUTHD[1], acked[0])
    hap = wait_for("HAProxy: every server DOWN",
                   lambda: set(haproxy_states().values()) == {"DOWN"}, 15)
    via = signup(HAPROXY, f"qy{RUN}")[0]
    print(f"  20 signups before: {fmt(pre)}; nodes 2+3 killed: node 1 non-primary after {nonprim}s, "
          f"authd1 /readyz 503 after {rz}s; signup {up[0]} {up[2]}, signin {inn[0]}; HAProxy all "
          f"DOWN after {hap}s, signup through it {via}")
    ok &= pre.get(200) == 20 and nonprim is not None and rz is not None
    ok &= up[0] == 503 and inn[0] == 503 and via == 503
    cluster("bootstrap", "1")
    back = wait_for("authd1 /readyz 200", lambda: readyz(AUTHD[1]) == 200, 30)
    after = signup(AUTHD[1], f"qz{RUN}")[0]
    cluster("start", "2")
    cluster("start", "3")
    all_up = wait_for("every authd ready", lambda: all(readyz(p) == 200 for p in AUTHD.values()), 60)
    lost = missing_acked(acked + [f"qz{RUN}"], (1, 2, 3))
    print(f"  pc.bootstrap on node 1: /readyz 200 after {back}s, signup {after}; nodes 2+3 back, "
          f"all ready after {all_up}s; acknowledged signups missing on some node: {lost}")
    return bool(ok) and back is not None and after == 200 and all_up is not None and lost == 0


CHECKS = {
    "signup_race": check_signup_race,
    "read_your_writes": check_read_your_writes,
    "refresh_race": check_refresh_race,
    "not_ready_node": check_not_ready_node,
    "kill_node": check_kill_node,
    "quorum_loss": check_quorum_loss,
}


def main(names):
    passed = failed = 0
    for name in names or CHECKS:
        t0 = time.monotonic()
        print(f"== {name}", flush=True)
        try:
            ok = CHECKS[name]()
        except Exception as e:  # a crashed check is a failed check, never a skip
            print(f"  crashed: {e!r}")
            ok = False
        print(f"{'PASS' if ok else 'FAIL'} {name} ({time.monotonic() - t0:.0f}s)", flush=True)
        passed += bool(ok)
        failed += not ok
    print(f"e2e: {passed} passed, {failed} failed")
    return failed


if __name__ == "__main__":
    sys.exit(min(main(sys.argv[1:]), 100))
