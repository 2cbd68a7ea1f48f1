"""Runs authcore's token vectors, session scenarios and session checks through the UniFFI Python
bindings.

Run by test.sh, which generates `authcore_ffi.py` and copies the cdylib next to it. Prints
`python: N passed, M failed` and exits non-zero on failure. A vector case with `core_bug` expects
the core's current result (`core_bug.actual`), exactly as the Rust test does. The `passwords`,
`signup` and `signin` vectors are server-side and not part of the mobile surface.
"""

import asyncio
import base64
import json
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import authcore as core  # the records authcore declares once: Inspection, VerifiedClaims, VerifyOptions
import authcore_ffi as ac

ROOT = Path(__file__).resolve().parents[2]


class Harness:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def test(self, name, body, *args):
        try:
            body(*args)
            self.passed += 1
        except Exception:  # noqa: BLE001 - every failure is reported, not raised
            self.failed += 1
            print(f"FAIL {name}: {traceback.format_exc(limit=2).strip().splitlines()[-1]}")


def eq(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def raises_code(code, body, variant=None):
    try:
        body()
    except ac.AuthcoreError as e:
        if variant is not None and not isinstance(e, variant):
            raise AssertionError(f"expected {variant.__name__}, got {e!r}") from e
        eq(e.code, code, "error code")
        return
    raise AssertionError(f"expected error {code}, nothing raised")


class Vectors:
    def __init__(self, path):
        self.root = json.loads(Path(path).read_text())
        self.keys = self.root["keys"]
        self.core_bugs = 0

    def expected(self, case, field):
        if "core_bug" in case:
            self.core_bugs += 1
            return case["core_bug"]["actual"]
        return case[field]

    def trusted(self, names):
        """Verifier keys for key names; a single JWK is passed as a one-key JWKS."""
        out = []
        for name in names:
            k = self.keys[name]
            if "jwks" in k:
                out.append(ac.TrustedKey.JWKS(json.dumps(k["jwks"])))
            elif "jwk" in k:
                out.append(ac.TrustedKey.JWKS(json.dumps({"keys": [k["jwk"]]})))
            else:
                if "secret_utf8" in k:
                    secret = k["secret_utf8"].encode()
                else:
                    s = k["secret_b64url"]
                    secret = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
                if k.get("legacy"):
                    # The README: a legacy secret must be refused by the strict constructor.
                    strict = [ac.TrustedKey.HS256(secret, k.get("kid"))]
                    raises_code("weak_secret", lambda: ac.TokenVerifier(strict, core.VerifyOptions()))
                    out.append(ac.TrustedKey.HS256_LEGACY(secret, k.get("kid")))
                else:
                    out.append(ac.TrustedKey.HS256(secret, k.get("kid")))
        return out

    @staticmethod
    def audience(view):
        aud = view.get("aud")
        return [aud] if isinstance(aud, str) else aud

    def claims(self, want, got, has_user_id=True):
        pairs = [
            ("id", got.id), ("roles", got.roles), ("iat", got.iat), ("nbf", got.nbf),
            ("exp", got.exp), ("iss", got.iss), ("sub", got.sub), ("jti", got.jti),
        ]
        if has_user_id:
            pairs.append(("user_id", got.user_id))
        for field, value in pairs:
            eq(value, want.get(field), field)
        eq(got.aud, self.audience(want), "aud")

    def inspect_case(self, token, case):
        want = self.expected(case, "error") if "error" in case else "ok"
        try:
            info = ac.inspect_token_at(token, case["now"])
        except ac.AuthcoreError as e:
            eq(e.code, want, "inspect result")
            return
        eq("ok", want, "inspect result")
        r = case.get("result")
        if r is None:
            return  # a core_bug case: only the outcome is known
        eq(info.alg, r["alg"], "alg")
        eq(info.kid, r["kid"], "kid")
        eq(info.typ, r["typ"], "typ")
        if case["leeway"] == 0:
            eq(info.expired, r["expired"], "expired")
        eq(ac.is_expired_at(token, case["leeway"], case["now"]), r["expired"], "expired with leeway")
        eq(info.seconds_left, r["seconds_left"], "seconds_left")
        self.claims(r, info)

    def verify_case(self, token, case):
        want = self.expected(case, "result")
        config = core.VerifyOptions(
            leeway_seconds=case["leeway"], require_exp=case["require_exp"],
            issuer=case["issuer"], audience=case["audience"],
        )
        try:
            got = ac.TokenVerifier(self.trusted(case["keys"]), config).verify_at(token, case["now"])
        except ac.AuthcoreError as e:
            eq(e.code, want, "verify result")
            return
        eq("ok", want, "verify result")
        if "claims" in case:
            self.claims(case["claims"], got)

    def sign_case(self, v):
        c = v["claims"]
        aud = self.audience(c)
        config = core.VerifyOptions(
            leeway_seconds=0, require_exp=True, issuer=c.get("iss"), audience=aud[0] if aud else None
        )
        got = ac.TokenVerifier(self.trusted([v["key"]]), config).verify_at(v["token"], c["iat"])
        self.claims(c, got, has_user_id=False)

    def run(self, h):
        eq(self.root["schema"], 1, "vectors schema")
        for v in self.root["tokens"]:
            h.test(f"vector {v['name']} inspect", self.inspect_case, v["token"], v["inspect"])
            for i, case in enumerate(v["verify"]):
                h.test(f"vector {v['name']} verify[{i}]", self.verify_case, v["token"], case)
        for v in self.root["sign"]:
            h.test(f"vector sign {v['name']}", self.sign_case, v)
        # Keys every surface must refuse (`refused`), with exactly that code.
        refused = sorted(n for n, k in self.keys.items() if "refused" in k)
        h.test("vector keys: the corpus has keys that must be refused", lambda: eq(bool(refused), True, "refused keys"))
        for name in refused:
            code = self.keys[name]["refused"]
            h.test(
                f"vector key {name} refused with {code}",
                raises_code,
                code,
                lambda name=name: ac.TokenVerifier(self.trusted([name]), core.VerifyOptions()),
            )


class ScriptedStore(ac.TokenStore):
    """The one session value; `after_next_read` runs once, right after the next `get` read it
    (another process writing just after this session read)."""

    def __init__(self):
        self.value = None
        self.after_next_read = None

    def get(self, key):
        eq(key, "authcore.session", "storage key")
        value, hook = self.value, self.after_next_read
        self.after_next_read = None
        if hook is not None:
            hook()
        return value

    def set(self, key, value):
        eq(key, "authcore.session", "storage key")
        self.value = value

    def remove(self, key):
        eq(key, "authcore.session", "storage key")
        self.value = None


class ScriptedRefresher(ac.Refresher):
    """The refresh call of one `fresh_access_token` step: records the bodies, runs what happens
    meanwhile, then answers or fails as the step says."""

    def __init__(self, step, during):
        self.step, self.during, self.sent = step, during, []

    def refresh(self, body):
        self.sent.append(body)
        self.during()
        answer = self.step["refresh"]
        if answer is None:
            raise ac.AuthcoreError.Refresh("unexpected_refresh", "the scenario expects no refresh call")
        if "fail" in answer:
            raise ac.AuthcoreError.Refresh(answer["fail"], "scripted failure")
        return answer["response"]


STYLES = {"access_token": ac.HeaderStyle.ACCESS_TOKEN, "bearer": ac.HeaderStyle.BEARER,
          "both": ac.HeaderStyle.BOTH}


def user_view(u):
    return None if u is None else {"id": u.id, "username": u.username, "email": u.email, "roles": list(u.roles)}


class StepClock(ac.SessionClock):
    """The session's clock: the running step's `now`. Reading it in a step without one fails."""

    def __init__(self):
        self.now = None

    def now_seconds(self):
        if self.now is None:
            raise AssertionError("the session read the clock in a step without `now`")
        return self.now


class SessionScenarios:
    """Replays every scenario of tests/vectors/sessions.json on the UniFFI AuthSession, made with
    `AuthSession.with_clock` so each step runs at its `now`."""

    def __init__(self, path):
        self.doc = json.loads(Path(path).read_text())
        self.ran = self.steps = 0

    def step(self, s, store, step):
        sent = []

        def concurrent(at):
            c = step.get("concurrent")
            if c is None or c["at"] != at:
                return
            if "write" in c:
                store.value = c["write"]
            elif c.get("this_session") == "sign_out":
                s.sign_out()
            else:
                raise AssertionError(f"concurrent: {c}")

        def fresh():
            if step.get("concurrent", {}).get("at") == "before_leader_reads":
                store.after_next_read = lambda: concurrent("before_leader_reads")
            refresher = ScriptedRefresher(step, lambda: concurrent("during_refresh_call"))
            try:
                return s.fresh_access_token(refresher, step["min_ttl"])
            finally:
                sent.extend(refresher.sent)

        def nothing(f):
            f()

        ops = {
            "signin": lambda: user_view(s.save_signin_response(step["response"])),
            "user": lambda: user_view(s.current_user()),
            "signed_in": s.is_signed_in,
            "access_token": s.access_token,
            "stored": lambda: store.value,
            "headers": lambda: [[h.name, h.value] for h in s.headers(STYLES[step["style"]])],
            "has_role": lambda: s.has_role(step["role"]),
            "needs_refresh": lambda: s.needs_refresh(step["min_ttl"]),
            "refresh_body": s.refresh_request_body,
            "apply_refresh": lambda: nothing(lambda: s.save_refresh_response(step["response"])),
            "fresh_access_token": fresh,
            "handle_unauthorized": lambda: nothing(s.handle_unauthorized),
            "sign_out": lambda: nothing(s.sign_out),
            "write": lambda: nothing(lambda: setattr(store, "value", step["stored"])),
        }
        try:
            got = ("ok", ops[step["op"]]())
        except ac.AuthcoreError as e:
            got = (e.code, None)
        finally:
            store.after_next_read = None
        return got, sent

    def scenario(self, sc):
        store = ScriptedStore()
        clock = StepClock()
        s = ac.AuthSession.with_clock(store, clock)
        for i, step in enumerate(sc["steps"]):
            want = (step["result"], step.get("value") if step["result"] == "ok" else None)
            clock.now = step.get("now")
            got, sent = self.step(s, store, step)
            eq(got, want, f"step {i} ({step['op']})")
            eq(sent, step.get("sent", []), f"step {i} ({step['op']}) refresh bodies sent")
        self.steps += len(sc["steps"])

    def run(self, h):
        eq(self.doc["schema"], 1, "sessions schema")
        scenarios = self.doc["scenarios"]
        if not scenarios:
            raise AssertionError("sessions.json has no scenarios")
        for sc in scenarios:
            self.ran += 1
            h.test(f"session scenario {sc['name']}", self.scenario, sc)
        if self.ran == 0:
            raise AssertionError("no session scenario ran")


def token_expiring_in(seconds_left, user_id=1):
    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"id": user_id, "roles": ["user"], "iat": now, "exp": now + seconds_left}
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(payload)}.c2ln"


def signin_json(access, refresh="r1"):
    body = {
        "id": 1, "username": "zkoder", "email": "user@bezkoder.com",
        "roles": ["ROLE_USER", "ROLE_MODERATOR"], "accessToken": access,
    }
    if refresh is not None:
        body["refreshToken"] = refresh
    return json.dumps(body)


class DictStore(ac.TokenStore):
    def __init__(self):
        self.values = {}

    def get(self, key):
        return self.values.get(key)

    def set(self, key, value):
        self.values[key] = value

    def remove(self, key):
        self.values.pop(key, None)


class SlowRefresher(ac.Refresher):
    def __init__(self, access, delay=0.3, error=None):
        self.access, self.delay, self.error = access, delay, error
        self.calls = 0
        self.lock = threading.Lock()

    def refresh(self, body):
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return json.dumps({"accessToken": self.access, "refreshToken": "r2"})


def session_round_trip():
    store = DictStore()
    access = token_expiring_in(3600)
    user = ac.AuthSession(store).save_signin_response(signin_json(access))
    eq(user.username, "zkoder", "username")
    eq("authcore.session" in store.values, True, "stored under authcore.session")
    s = ac.AuthSession(store)
    eq(s.current_user(), user, "user read back")
    eq(s.access_token(), access, "access token")
    eq([(x.name, x.value) for x in s.headers(ac.HeaderStyle.BOTH)],
       [("x-access-token", access), ("Authorization", f"Bearer {access}")], "headers")
    eq(s.has_role("ROLE_MODERATOR") and not s.has_role("admin"), True, "roles")
    eq(s.needs_refresh(60), False, "needs refresh")
    s.sign_out()
    eq(store.values, {}, "sign out clears the store")


def single_flight():
    s = ac.AuthSession(ac.memory_token_store())
    s.save_signin_response(signin_json(token_expiring_in(10)))
    fresh = token_expiring_in(3600)
    refresher = SlowRefresher(fresh)
    with ThreadPoolExecutor(max_workers=12) as pool:
        tokens = list(pool.map(lambda _: s.fresh_access_token(refresher, 60), range(12)))
    eq(refresher.calls, 1, "refresh calls")
    eq(set(tokens), {fresh}, "every caller got the new token")
    eq(s.refresh_request_body(), '{"refreshToken":"r2"}', "rotated refresh token")


class AsyncSlowRefresher(ac.AsyncRefresher):
    def __init__(self, access):
        self.access = access
        self.calls = 0

    async def refresh(self, body):
        self.calls += 1
        await asyncio.sleep(0.3)
        return json.dumps({"accessToken": self.access, "refreshToken": "r2"})


def single_flight_async():
    s = ac.AuthSession(ac.memory_token_store())
    s.save_signin_response(signin_json(token_expiring_in(10)))
    fresh = token_expiring_in(3600)
    refresher = AsyncSlowRefresher(fresh)

    async def callers():
        return await asyncio.gather(*(s.fresh_access_token_async(refresher, 60) for _ in range(12)))

    tokens = asyncio.run(callers())
    eq(refresher.calls, 1, "refresh calls")
    eq(set(tokens), {fresh}, "every caller got the new token")


def error_codes():
    raises_code("malformed", lambda: ac.inspect_token("abc"), ac.AuthcoreError.Token)
    raises_code("weak_secret", lambda: ac.TokenVerifier.from_hs256_secret(b"short", core.VerifyOptions()),
                ac.AuthcoreError.Key)
    s = ac.AuthSession(ac.memory_token_store())
    raises_code("not_signed_in", lambda: s.headers(ac.HeaderStyle.BEARER), ac.AuthcoreError.Session)
    s.save_signin_response(signin_json(token_expiring_in(10)))
    revoked = SlowRefresher("", delay=0, error=ac.AuthcoreError.Refresh("http_403", "revoked"))
    raises_code("http_403", lambda: s.fresh_access_token(revoked, 60), ac.AuthcoreError.Refresh)
    eq(s.is_signed_in(), False, "signed out once authd refused the refresh")
    raises_code("not_signed_in", lambda: s.fresh_access_token(revoked, 60), ac.AuthcoreError.Session)
    s.save_signin_response(signin_json(token_expiring_in(10)))
    crashing = SlowRefresher("", delay=0, error=OSError("connection reset"))
    raises_code("unexpected_callback_error", lambda: s.fresh_access_token(crashing, 60),
                ac.AuthcoreError.Callback)
    eq(ac.authorities(["admin", "user", "nobody"]), ["ROLE_USER", "ROLE_ADMIN"], "authorities")


def main():
    h = Harness()
    vectors = Vectors(ROOT / "tests" / "vectors" / "vectors.json")
    h.test("vectors load", vectors.run, h)
    sessions = SessionScenarios(ROOT / "tests" / "vectors" / "sessions.json")
    h.test("session scenarios load", sessions.run, h)
    h.test("session round trip through a foreign store", session_round_trip)
    h.test("single-flight refresh across threads", single_flight)
    h.test("single-flight refresh across asyncio tasks", single_flight_async)
    h.test("errors carry stable codes", error_codes)
    print(f"python: {vectors.core_bugs} vector cases follow a documented core_bug")
    print(f"python: sessions: {sessions.ran} of {len(sessions.doc['scenarios'])} scenarios "
          f"replayed ({sessions.steps} steps)")
    print(f"python: {h.passed} passed, {h.failed} failed")
    return 0 if h.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
