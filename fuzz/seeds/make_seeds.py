#!/usr/bin/env python3
"""Writes the small seed corpora in fuzz/seeds/<target>/ (deterministic; run from anywhere).

The inspect_verify seeds follow the selector byte described in fuzz_targets/inspect_verify.rs.
"""
import base64
import hashlib
import hmac
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
IAT = 1795701477


def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def hs256(header: dict, payload: dict, secret=b"your-secret-key") -> str:
    h = b64(json.dumps(header, separators=(",", ":")).encode())
    p = b64(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64(sig)}"


def write(target: str, name: str, data) -> None:
    d = HERE / target
    d.mkdir(exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


seed_claims = {"id": 1, "iat": IAT, "exp": IAT + 86400}
rich_claims = {"id": 2, "roles": ["admin", "user"], "iat": IAT, "nbf": IAT - 5,
               "exp": IAT + 60, "aud": ["api", "web"], "iss": "authd", "sub": "2", "jti": "j"}
headers = [
    {"alg": "HS256", "typ": "JWT"},
    {"alg": "EdDSA", "typ": "JWT", "kid": "ed-1"},
    {"alg": "ES256", "typ": "JWT", "kid": "es-1"},
]

# Whole-input seeds: valid tokens as text.
write("inspect_verify", "raw_seed_hs256", hs256(headers[0], seed_claims))
write("inspect_verify", "raw_rich_hs256", hs256(headers[0], rich_claims))
write("inspect_verify", "raw_rfc7515_a1",
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
# Structured seeds: selector byte, then the spliced bytes.
for t, header in enumerate(headers):
    write("inspect_verify", f"m1_header_{t}", bytes([1 | t << 3]) + compact(header))
    write("inspect_verify", f"m2_payload_{t}", bytes([2 | t << 3]) + compact(seed_claims))
    write("inspect_verify", f"m3_sig_{t}", bytes([3 | t << 3]) + bytes(64))
    write("inspect_verify", f"m6_rawsig_{t}", bytes([6 | t << 3]) + b"c2ln")
write("inspect_verify", "m4_hs256_resign", bytes([4]) + compact(headers[0]) + b"\0" + compact(seed_claims))
write("inspect_verify", "m4_hs256_resign_lax", bytes([4 | 0x80]) + compact(headers[0]) + b"\0" + compact(rich_claims))
write("inspect_verify", "m5_eddsa_resign", bytes([5]) + compact(headers[1]) + b"\0" + compact(seed_claims))
write("inspect_verify", "m5_eddsa_resign_lax", bytes([5 | 0x80]) + compact(rich_claims))

# signup_validation: JSON bodies, valid and typical mistakes.
for name, body in {
    "signup_ok": {"username": "zkoder", "email": "z@example.com", "password": "12345678", "roles": ["user", "admin"]},
    "signup_unicode": {"username": "üñí_.-9", "email": "ü@bücher.de", "password": "pässwörd", "roles": None},
    "signin_ok": {"username": "ZKoder ", "password": "x"},
    "array_username": {"username": ["a", "b"], "password": "12345678"},
    "roles_string": {"username": "abc", "email": "a@b.c", "password": "123456", "roles": "admin"},
    "many_roles": {"username": "abc", "email": "a@b.c", "password": "123456", "roles": ["user"] * 17},
}.items():
    write("signup_validation", name, json.dumps(body, ensure_ascii=False))
write("signup_validation", "not_object", "[1,2,3]")

# jwks: RFC 8037 Ed25519 and RFC 7515 A.3 P-256 public keys, an RSA key to skip, an oct key to refuse.
ed = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "ed-1", "use": "sig", "alg": "EdDSA"}
ec = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "es-1", "alg": "ES256"}
rsa = {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "r"}
write("jwks", "ed_ec", json.dumps({"keys": [ed, ec]}))
write("jwks", "with_rsa", json.dumps({"keys": [rsa, ed]}))
write("jwks", "ec_private", json.dumps({"keys": [dict(ec, d="jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")]}))
write("jwks", "oct", json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI"}]}))
write("jwks", "empty", '{"keys":[]}')

# json_differential: header and payload texts, valid and at serde_json's edges (raw JSON bytes).
for name, text in {
    "seed_claims": compact(seed_claims).decode(),
    "rich_claims": compact(rich_claims).decode(),
    "rich_pretty": json.dumps(rich_claims, indent=2),
    "header_hs": compact(headers[1]).decode(),
    "header_crit": '{"alg":"HS256","crit":["exp"],"b64":null}',
    "escapes": '{"sub":"\\u00e9\\ud83d\\ude00\\n\\"\\\\\\/","iss":"caf\u00e9","x":"\\ud800"}',
    "numbers": '{"exp":1300819380.9,"nbf":-0.5e1,"iat":1e300,"id":9223372036854775807,"x":1e400}',
    "big_id": '{"id":18446744073709551616,"exp":-9223372036854775809}',
    "aud_wrong": '{"aud":["a",1],"exp":"x"}',
    "dup": '{"id":1,"x":[{"y":null}],"id" :2}',
    "nested": '{"aud":' + "[" * 126 + "]" * 126 + "}",
}.items():
    write("json_differential", name, text.encode())
