#!/usr/bin/env bash
# Fuzzes a live authd against its own OpenAPI document with schemathesis (PyPI).
#
# Builds authd, starts it on 127.0.0.1 (a free port, a temp data dir, SQLite, a bootstrap admin,
# abuse limits off so the fuzzer reaches the handlers, reset mail to a local aiosmtpd), signs the admin in, then runs
# `schemathesis run http://127.0.0.1:PORT/openapi.json --checks all` with the admin's token on
# every request, bounded by SCHEMATHESIS_MAX_EXAMPLES (default 50) per operation: first every
# route but signout and the password change, after which the token must still be an admin's,
# then those two. Stops authd and exits non-zero on any failure: a 5xx, an undocumented status,
# content type or header, a body that violates its schema, or an admin token lost mid-run.
#
# Excluded checks, both about conventions the seed's contract decides otherwise:
#   unsupported_method, allow_header_conformance: an undeclared method is the seed's (Express')
#     JSON 404 `Cannot METHOD /path`, not 405 with `Allow`;
#   positive_data_acceptance: schema-valid input can still be refused by the state of the store
#     (a taken username is 400, an unknown user 404), which no schema can express.
# Only ever targets 127.0.0.1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET_DIR/venv-schemathesis"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-50}"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check schemathesis
fi
"$VENV/bin/schemathesis" --version

cargo build -q -p authcore-server --bin authd
AUTHD="$TARGET_DIR/debug/authd"

WORK="$(mktemp -d)"
AUTHD_PID=""
SMTP_PID=""
cleanup() {
  for pid in "$AUTHD_PID" "$SMTP_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A real SMTP server (aiosmtpd) on 127.0.0.1, so the password reset and email verification routes
# are fuzzed for real (verification on, else its route only answers 501).
SMTP_PYTHON="$(bash server/tests/smtp_venv.sh)"
SMTP_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$SMTP_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$WORK/mail" \
  >/dev/null 2>&1 &
SMTP_PID=$!

ADMIN_PASSWORD="schemathesis-admin-password"
env -i PATH="$PATH" RUST_LOG=warn PORT=0 AUTHD_BIND=127.0.0.1 AUTHD_DATA_DIR="$WORK/data" \
  AUTHD_BCRYPT_COST=4 \
  AUTHD_BOOTSTRAP_ADMIN_USERNAME=fuzzadmin AUTHD_BOOTSTRAP_ADMIN_EMAIL=fuzzadmin@example.com \
  AUTHD_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  AUTHD_RATE_LIMIT_SIGNIN_PER_MINUTE=0 AUTHD_RATE_LIMIT_SIGNIN_PER_USERNAME_PER_MINUTE=0 \
  AUTHD_RATE_LIMIT_SIGNUP_PER_MINUTE=0 AUTHD_RATE_LIMIT_REFRESH_PER_MINUTE=0 \
  AUTHD_SIGNIN_FAILURES_BEFORE_DELAY=0 \
  AUTHD_SMTP_HOST=127.0.0.1 AUTHD_SMTP_PORT="$SMTP_PORT" AUTHD_SMTP_TLS=none \
  AUTHD_SMTP_FROM=authd@example.com AUTHD_EMAIL_VERIFICATION=true \
  "$AUTHD" >"$WORK/authd.out" 2>"$WORK/authd.err" &
AUTHD_PID=$!

BASE=""
for _ in $(seq 1 100); do
  BASE="$(sed -n 's|^authd listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$WORK/authd.out")"
  [ -n "$BASE" ] && break
  kill -0 "$AUTHD_PID" 2>/dev/null || { cat "$WORK/authd.err"; echo "authd exited"; exit 1; }
  sleep 0.1
done
[ -n "$BASE" ] || { echo "authd did not start"; exit 1; }
echo "authd at $BASE"

# The bootstrap admin is created in the background: retry the signin briefly.
TOKEN=""
for _ in $(seq 1 50); do
  TOKEN="$(curl -s --max-time 5 -H 'content-type: application/json' \
    -d "{\"username\":\"fuzzadmin\",\"password\":\"$ADMIN_PASSWORD\"}" "$BASE/api/auth/signin" |
    python3 -c 'import sys, json; print(json.load(sys.stdin).get("accessToken") or "")' 2>/dev/null || true)"
  [ -n "$TOKEN" ] && break
  sleep 0.1
done
[ -n "$TOKEN" ] || { echo "could not sign the bootstrap admin in"; exit 1; }

# The admin also takes the user and moderator roles (the seed's roles stand alone), so that
# /api/test/user and /api/test/mod are reached with a token that may pass them.
ADMIN_ID="$(curl -s --max-time 5 -H "x-access-token: $TOKEN" "$BASE/api/auth/me" |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["id"])')"
roles_status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT \
  -H 'content-type: application/json' -H "x-access-token: $TOKEN" \
  -d '{"roles":["user","moderator","admin"]}' "$BASE/api/admin/users/$ADMIN_ID/roles")"
[ "$roles_status" = 200 ] || { echo "could not give the admin every role ($roles_status)"; exit 1; }

# Run from the temp dir: schemathesis and hypothesis leave state directories in the cwd. Its
# config there turns off its own sign-up-and-sign-in bootstrap: every request carries the admin's
# token (-H), and nothing else.
printf '[auth]\nauto-signup = false\n' >"$WORK/schemathesis.toml"
fuzz() {
  (cd "$WORK" && "$VENV/bin/schemathesis" run "$BASE/openapi.json" \
    --checks all \
    --exclude-checks unsupported_method,allow_header_conformance,positive_data_acceptance \
    --max-examples "$MAX_EXAMPLES" \
    --generation-database none \
    --request-timeout 30 \
    --no-color \
    -H "x-access-token: $TOKEN" "$@")
}
admin_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "x-access-token: $TOKEN" "$BASE/api/admin/users"
}

# Two passes. First every route but the two that may revoke the admin's token (signout with
# `all=true`, a password change): after it, the token must still be an admin's, which shows that
# every request of the pass was the admin's (an admin cannot lose the role by themselves, and a
# revoked token is never valid again). Then those two.
REVOKING='^/api/auth/(signout|password)$'
status=0
fuzz --exclude-path-regex "$REVOKING" || status=$?
after="$(admin_status)"
if [ "$after" != 200 ]; then
  echo "the admin's token answered $after on GET /api/admin/users after the first pass (want 200)"
  status=1
fi
fuzz --include-path-regex "$REVOKING" || status=$?

if ! kill -0 "$AUTHD_PID" 2>/dev/null; then
  echo "authd died during the run"
  cat "$WORK/authd.err"
  status=1
fi
exit "$status"
