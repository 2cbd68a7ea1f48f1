// Interop between authcore and the seed's Node libraries, both directions:
//   (a) Node `jsonwebtoken` mints seed tokens -> authcore verifies them;
//   (b) authcore mints tokens -> `jsonwebtoken.verify(token, secret, {algorithms: ['HS256']})`;
//   (c) bcryptjs hashes verify in authcore, authcore's bcrypt hashes verify in bcryptjs;
//   (d) the shared vectors (tests/vectors/vectors.json) as Node's libraries see them.
//
// Run:  (cd tests/node && npm ci && npm test)
// authcore is reached through `authcore-cli` (tests/src/bin/authcore-cli.rs). Set AUTHCORE_CLI to
// a built binary, or let this file build it with `cargo build -q -p authcore-tests --bin authcore-cli`.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken');
const bcrypt = require('bcryptjs');

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const SECRET = 'your-secret-key';
const IAT = 1795701477; // the seed's signin in CONTRACT.md §5
const DAY = 86400;

let CLI = process.env.AUTHCORE_CLI;
before(() => {
  if (!CLI) {
    execFileSync('cargo', ['build', '-q', '-p', 'authcore-tests', '--bin', 'authcore-cli'], {
      cwd: repo,
      stdio: 'inherit',
    });
    CLI = path.join(process.env.CARGO_TARGET_DIR ?? path.join(repo, 'target'), 'debug', 'authcore-cli');
  }
  assert.ok(fs.existsSync(CLI), `authcore-cli not found at ${CLI}`);
});

/** Runs authcore-cli: `{ ok: true, out }` on success, `{ ok: false, code }` on a core error. */
function authcore(args, input) {
  const r = spawnSync(CLI, args, { input: input ?? '', encoding: 'utf8' });
  if (r.status === 0) return { ok: true, out: r.stdout.trim() };
  if (r.status === 1) return { ok: false, code: r.stdout.trim() };
  throw new Error(`authcore-cli ${args.join(' ')}: status ${r.status}: ${r.stderr}`);
}
const verifyInAuthcore = (token, now, extra = []) =>
  authcore(['verify', '--secret', SECRET, '--now', String(now), ...extra, token]);
const claimsOf = (result) => {
  assert.ok(result.ok, `authcore refused: ${result.code}`);
  return JSON.parse(result.out);
};

describe('(a) Node jsonwebtoken mints, authcore verifies', () => {
  test('seed tokens for ids 1..3 verify with their id and a 24 h expiry', () => {
    for (const id of [1, 2, 3]) {
      const token = jwt.sign({ id, iat: IAT }, SECRET, { expiresIn: DAY });
      const claims = claimsOf(verifyInAuthcore(token, IAT + 10));
      assert.equal(claims.id, id);
      assert.equal(claims.user_id, id);
      assert.equal(claims.iat, IAT);
      assert.equal(claims.exp, IAT + DAY);
    }
  });

  test('a token issued right now verifies at the real time', () => {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ id: 42 }, SECRET, { expiresIn: DAY });
    assert.equal(claimsOf(verifyInAuthcore(token, now)).id, 42);
  });

  test('expiresIn as a string ("1h") gives exp = iat + 3600', () => {
    const token = jwt.sign({ id: 1, iat: IAT }, SECRET, { expiresIn: '1h' });
    assert.equal(claimsOf(verifyInAuthcore(token, IAT)).exp, IAT + 3600);
  });

  test('expiry is honoured with the leeway, like jsonwebtoken clockTolerance', () => {
    const token = jwt.sign({ id: 1, iat: IAT }, SECRET, { expiresIn: DAY });
    assert.ok(verifyInAuthcore(token, IAT + DAY + 59).ok);
    assert.deepEqual(verifyInAuthcore(token, IAT + DAY + 60), { ok: false, code: 'expired' });
    assert.deepEqual(verifyInAuthcore(token, IAT + DAY, ['--leeway', '0']), { ok: false, code: 'expired' });
    assert.throws(() => jwt.verify(token, SECRET, { clockTimestamp: IAT + DAY + 60, clockTolerance: 60 }), jwt.TokenExpiredError);
    jwt.verify(token, SECRET, { clockTimestamp: IAT + DAY + 59, clockTolerance: 60 });
  });

  test('tokens the seed accepted but authcore refuses: HS512/HS384, no exp, wrong secret', () => {
    for (const algorithm of ['HS512', 'HS384']) {
      const token = jwt.sign({ id: 1, iat: IAT }, SECRET, { expiresIn: DAY, algorithm });
      jwt.verify(token, SECRET, { clockTimestamp: IAT }); // the seed's check passes
      assert.deepEqual(verifyInAuthcore(token, IAT), { ok: false, code: 'algorithm_not_allowed' });
    }
    const noExp = jwt.sign({ id: 1, iat: IAT }, SECRET);
    assert.deepEqual(verifyInAuthcore(noExp, IAT), { ok: false, code: 'missing_claim' });
    assert.equal(claimsOf(verifyInAuthcore(noExp, IAT, ['--allow-no-exp'])).exp, null);
    const forged = jwt.sign({ id: 3, iat: IAT }, 'not-the-secret', { expiresIn: DAY });
    assert.deepEqual(verifyInAuthcore(forged, IAT), { ok: false, code: 'invalid_signature' });
  });
});

describe('(b) authcore mints, Node jsonwebtoken verifies', () => {
  test('seed tokens are byte-identical to jsonwebtoken and verify with algorithms [HS256]', () => {
    for (const id of [1, 2, 3, 1234567]) {
      const token = authcore(['sign', '--secret', SECRET, '--id', String(id), '--iat', String(IAT)]).out;
      assert.equal(token, jwt.sign({ id, iat: IAT }, SECRET, { expiresIn: DAY }));
      const payload = jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: IAT + 10 });
      assert.deepEqual(payload, { id, iat: IAT, exp: IAT + DAY });
      assert.deepEqual(jwt.decode(token, { complete: true }).header, { alg: 'HS256', typ: 'JWT' });
    }
  });

  test('a token minted now verifies with the real clock', () => {
    const now = Math.floor(Date.now() / 1000);
    const token = authcore(['sign', '--secret', SECRET, '--id', '9', '--iat', String(now), '--ttl', '600']).out;
    assert.equal(jwt.verify(token, SECRET, { algorithms: ['HS256'] }).id, 9);
  });

  test('roles travel as a JSON array in id order', () => {
    const token = authcore(['sign', '--secret', SECRET, '--id', '2', '--iat', String(IAT), '--roles', 'moderator,user']).out;
    const payload = jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: IAT });
    assert.deepEqual(payload, { id: 2, roles: ['user', 'moderator'], iat: IAT, exp: IAT + DAY });
  });

  test('Node refuses authcore tokens that are expired or checked with another secret', () => {
    const token = authcore(['sign', '--secret', SECRET, '--id', '1', '--iat', String(IAT), '--ttl', '60']).out;
    assert.throws(() => jwt.verify(token, SECRET, { algorithms: ['HS256'], clockTimestamp: IAT + 60 }), jwt.TokenExpiredError);
    assert.throws(() => jwt.verify(token, 'other', { algorithms: ['HS256'], clockTimestamp: IAT }), /invalid signature/);
  });
});

/** The password with its last code point replaced. */
function lastCharChanged(pw) {
  const chars = Array.from(pw);
  chars[chars.length - 1] = chars[chars.length - 1] === '!' ? '?' : '!';
  return chars.join('');
}

describe('(c) bcrypt: bcryptjs and authcore read each other\'s hashes', () => {
  const passwords = ['12345678', 'pässwörd€😀', 'x'.repeat(72), 'abc\u0000def', ' spaces around ', '€'.repeat(24)];

  test('bcryptjs hashes (random salts, cost 8) verify in authcore', () => {
    for (const pw of passwords) {
      const hash = bcrypt.hashSync(pw, 8);
      assert.match(hash, /^\$2a\$08\$/);
      assert.deepEqual(authcore(['verify-password', hash], pw), { ok: true, out: 'true' }, JSON.stringify(pw));
      assert.deepEqual(authcore(['verify-password', hash], lastCharChanged(pw)), { ok: true, out: 'false' });
    }
  });

  test('authcore hashes (cost 8) verify in bcryptjs', () => {
    for (const pw of passwords) {
      const { out: hash } = authcore(['hash', '--cost', '8'], pw);
      assert.match(hash, /^\$2b\$08\$.{53}$/);
      assert.equal(bcrypt.compareSync(pw, hash), true, JSON.stringify(pw));
      assert.equal(bcrypt.compareSync(lastCharChanged(pw), hash), false);
      assert.equal(bcrypt.getRounds(hash), 8);
    }
  });

  test('73-byte passwords: bcryptjs silently truncates, authcore refuses both ways', () => {
    const pw = 'y'.repeat(73);
    const hash = bcrypt.hashSync(pw, 4);
    assert.equal(bcrypt.compareSync('y'.repeat(72), hash), true); // the seed's bug #17
    assert.deepEqual(authcore(['verify-password', hash], pw), { ok: false, code: 'password_too_long' });
    assert.deepEqual(authcore(['verify-password', hash], 'y'.repeat(72)), { ok: true, out: 'true' });
    assert.deepEqual(authcore(['hash', '--cost', '4'], pw), { ok: false, code: 'password_too_long' });
  });
});

describe('(d) the shared vectors, as Node\'s libraries see them', () => {
  const vectors = JSON.parse(fs.readFileSync(path.join(repo, 'tests', 'vectors', 'vectors.json'), 'utf8'));
  const seedCases = vectors.tokens.flatMap((t) =>
    t.verify
      .filter((c) => c.keys.length === 1 && c.keys[0] === 'seed' && !c.core_bug)
      .map((c) => ({ name: t.name, token: t.token, ...c })),
  );
  // authcore's options mapped onto jsonwebtoken's; `algorithms` absent is the seed's policy.
  const nodeVerify = (c, algorithms = ['HS256']) =>
    jwt.verify(c.token, SECRET, {
      ...(algorithms ? { algorithms } : {}),
      clockTimestamp: c.now,
      clockTolerance: c.leeway,
      ...(c.issuer ? { issuer: c.issuer } : {}),
      ...(c.audience ? { audience: c.audience } : {}),
    });

  test('every seed-key token authcore accepts, jsonwebtoken accepts with the same claims', () => {
    const accepted = seedCases.filter((c) => c.result === 'ok' && c.require_exp);
    assert.ok(accepted.length > 10);
    for (const c of accepted) {
      const payload = nodeVerify(c);
      for (const claim of ['id', 'roles', 'iss', 'sub', 'aud', 'jti']) {
        assert.deepEqual(payload[claim] ?? null, c.claims[claim], `${c.name}: ${claim}`);
      }
    }
  });

  test('expiry and not-before boundaries agree with jsonwebtoken', () => {
    const timed = seedCases.filter((c) => c.result === 'expired' || c.result === 'not_yet_valid');
    assert.ok(timed.length >= 5);
    for (const c of timed) {
      // authcore floors fractional NumericDates and clamps huge ones to i64; Node compares the
      // raw numbers. Those vectors are about authcore's reading, so they are skipped here.
      const payload = jwt.decode(c.token);
      if (!Number.isSafeInteger(payload.exp ?? 0) || !Number.isSafeInteger(payload.nbf ?? 0)) continue;
      const expected = c.result === 'expired' ? jwt.TokenExpiredError : jwt.NotBeforeError;
      assert.throws(() => nodeVerify(c), expected, c.name);
    }
  });

  test('tokens the seed accepted and authcore refuses are exactly the documented hardening cases', () => {
    const refused = seedCases.filter((c) => c.result !== 'ok' && c.result !== 'expired' && c.result !== 'not_yet_valid');
    const nodeAccepts = refused
      .filter((c) => {
        try {
          nodeVerify(c, null);
          return true;
        } catch {
          return false;
        }
      })
      .map((c) => `${c.name}: ${c.result}`);
    assert.deepEqual([...new Set(nodeAccepts)].sort(), SEED_ACCEPTED_AUTHCORE_REFUSES);
  });

  test('password vectors: bcryptjs agrees on every true/false, and matched the 72-byte prefix', () => {
    for (const p of vectors.passwords) {
      if (typeof p.verify === 'boolean') {
        assert.equal(bcrypt.compareSync(p.password, p.hash), p.verify, p.name);
      } else if (p.verify === 'password_too_long') {
        assert.equal(bcrypt.compareSync(p.password, p.hash), p.name.startsWith('73-bytes'), p.name);
      }
    }
  });
});

// Seed-key vectors that the seed's jsonwebtoken.verify (any HMAC algorithm, same time, leeway,
// issuer and audience options) accepts and authcore refuses on purpose. A change here is a change
// of authcore's (or jsonwebtoken's) policy: update the list deliberately.
const SEED_ACCEPTED_AUTHCORE_REFUSES = [
  // RFC 8725 §3.1: one algorithm per key.
  'seed-jsonwebtoken-hs384: algorithm_not_allowed',
  'seed-jsonwebtoken-hs512: algorithm_not_allowed',
  // Tokens without exp never expire in the seed (CONTRACT §10 #10).
  'claims-empty-object: missing_claim',
  'seed-jsonwebtoken-no-exp: missing_claim',
  // RFC 7519 §4.1.3: a token naming an audience is refused by a verifier that names none.
  'seed-jsonwebtoken-iss-aud: invalid_audience',
  // RFC 7515 §4.1.11: jsonwebtoken ignores crit; RFC 7797 b64 is not supported.
  'header-b64-false: unsupported_header',
  'header-b64-without-crit: unsupported_header',
  'header-crit: unsupported_header',
  // Duplicate member names (JSON.parse keeps the last one).
  'claims-duplicate-id: invalid_claims',
  'header-duplicate-alg: malformed',
  // Typed claims and headers: jsonwebtoken does not check types it does not use.
  'claims-aud-number: invalid_claims',
  'claims-iat-string: invalid_claims',
  'claims-id-float: invalid_claims',
  'claims-id-string: invalid_claims',
  'claims-iss-number: invalid_claims',
  'claims-roles-string: invalid_claims',
  'header-kid-not-string: malformed',
  // RFC 7519 §7.2: header and payload must be UTF-8 (Node decodes bad bytes to U+FFFD).
  'header-invalid-utf8-nested: malformed',
  'header-invalid-utf8-unknown-member: malformed',
  'payload-invalid-utf8-member-name: malformed',
  'payload-invalid-utf8-nested: malformed',
  'payload-invalid-utf8-unknown-member: malformed',
  'payload-utf8-overlong: malformed',
  'payload-utf8-surrogate: malformed',
  // Payloads that are not a UTF-8 JSON object.
  'payload-invalid-utf8: malformed',
  'payload-json-array: malformed',
  'payload-json-string: malformed',
  // authcore's 8 KiB limit.
  'size-8193-bytes: token_too_large',
].sort();
