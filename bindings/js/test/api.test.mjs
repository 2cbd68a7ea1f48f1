// The free functions, Verifier constructors and options, and AuthcoreError codes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as authcore from 'authcore';
import { AuthcoreError, Verifier, hasRole, inspectToken, isExpired } from 'authcore';
import { SECRET, mint, nowSeconds } from './helpers.mjs';

const vectors = JSON.parse(readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const code = (c) => (error) => error instanceof AuthcoreError && error.code === c;
const SEED = vectors.sign.find((v) => v.name === 'seed-hs256-id1').token;
const byName = (name) => vectors.tokens.find((v) => v.name === name);

describe('package', () => {
  test('exports exactly the documented API', () => {
    assert.deepEqual(Object.keys(authcore).sort(), [
      'AuthSession', 'AuthcoreError', 'MemoryStorage', 'Verifier', 'hasRole', 'inspectToken', 'isExpired',
    ]);
  });

  test('AuthcoreError is an Error with a name and a stable code', () => {
    const error = (() => {
      try {
        inspectToken('abc');
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof Error);
    assert.ok(error instanceof AuthcoreError);
    assert.equal(error.name, 'AuthcoreError');
    assert.equal(error.code, 'malformed');
    assert.match(error.message, /three segments/);
    assert.match(String(error.stack), /AuthcoreError/);
  });
});

describe('inspectToken / isExpired / hasRole', () => {
  test('the seed token inspects to its user and times', () => {
    const info = inspectToken(SEED, 1795701477);
    assert.deepEqual(info, {
      alg: 'HS256', kid: null, typ: 'JWT', id: 1, userId: 1, roles: null, iat: 1795701477, nbf: null,
      exp: 1795787877, iss: null, sub: null, aud: null, jti: null, expired: false, secondsLeft: 86400,
    });
  });

  test('without nowSeconds the clock is Date.now()', () => {
    const token = mint({ id: 3, exp: nowSeconds() + 100 });
    const info = inspectToken(token);
    assert.ok(info.secondsLeft > 90 && info.secondsLeft <= 100, String(info.secondsLeft));
    assert.equal(isExpired(token), false);
    assert.equal(isExpired(mint({ exp: nowSeconds() - 5 })), true);
    assert.equal(isExpired(mint({ exp: nowSeconds() - 5 }), 60), false);
  });

  test('isExpired is false without exp, and judges leeway at the boundary', () => {
    assert.equal(isExpired(mint({ id: 1 }), 0, 1e12), false);
    assert.equal(isExpired(SEED, 0, 1795787876), false);
    assert.equal(isExpired(SEED, 0, 1795787877), true);
    assert.equal(isExpired(SEED, 60, 1795787936), false);
    assert.equal(isExpired(SEED, 60, 1795787937), true);
  });

  test('hasRole reads the roles claim by exact name', () => {
    const token = mint({ id: 1, roles: ['user', 'admin'] });
    assert.equal(hasRole(token, 'admin'), true);
    assert.equal(hasRole(token, 'moderator'), false);
    assert.equal(hasRole(SEED, 'user'), false);
  });

  test('hostile inputs throw typed errors, never anything else', () => {
    const cases = [
      ['', 'malformed'],
      ['a.b', 'malformed'],
      ['!!!.e30.', 'malformed'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJ4In0.', 'invalid_claims'],
      ['eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19.e30.', 'unsupported_header'],
      ['a'.repeat(8193), 'token_too_large'],
    ];
    for (const [token, expected] of cases) {
      assert.throws(() => inspectToken(token), code(expected), token.slice(0, 20));
      assert.throws(() => isExpired(token), code(expected));
      assert.throws(() => hasRole(token, 'user'), code(expected));
    }
  });

  test('bad numbers are invalid_argument', () => {
    assert.throws(() => isExpired(SEED, -1), code('invalid_argument'));
    assert.throws(() => isExpired(SEED, 0, Number.NaN), code('invalid_argument'));
    assert.throws(() => inspectToken(SEED, Infinity), code('invalid_argument'));
  });
});

describe('Verifier', () => {
  const jwks = vectors.keys.jwks.jwks;

  test('HS256: a shared secret verifies and returns the claims with userId', () => {
    const token = mint({ id: 9, roles: ['user'], exp: nowSeconds() + 60 });
    const claims = Verifier.fromHs256Secret(SECRET).verify(token);
    assert.equal(claims.id, 9);
    assert.equal(claims.userId, 9);
    assert.deepEqual(claims.roles, ['user']);
    assert.equal(claims.alg, 'HS256');
    assert.equal(claims.iss, null, 'absent claims are null (the VerifiedClaims record)');
  });

  test('HS256 secrets: bytes work like text; short ones need the legacy constructor', () => {
    const token = mint({ exp: nowSeconds() + 60 });
    assert.equal(Verifier.fromHs256Secret(new TextEncoder().encode(SECRET)).verify(token).exp > 0, true);
    assert.throws(() => Verifier.fromHs256Secret('your-secret-key'), code('weak_secret'));
    assert.equal(Verifier.fromLegacyHs256Secret('your-secret-key').verifyAt(SEED, 1795701500).id, 1);
    assert.throws(() => Verifier.fromLegacyHs256Secret(''), code('weak_secret'));
    assert.throws(() => Verifier.fromHs256Secret(42), code('invalid_argument'));
  });

  test('EdDSA and ES256 from a JWKS (object or text)', () => {
    for (const name of ['eddsa-kid-roles', 'es256-kid-roles']) {
      const v = byName(name);
      const ok = v.verify.find((c) => c.result === 'ok' && c.keys.join() === 'jwks');
      for (const doc of [jwks, JSON.stringify(jwks)]) {
        const claims = Verifier.fromJwks(doc).verifyAt(v.token, ok.now);
        assert.deepEqual(claims.roles, ['user', 'admin']);
      }
    }
  });

  test('the error codes name what failed', () => {
    const seed = Verifier.fromLegacyHs256Secret('your-secret-key');
    assert.throws(() => seed.verifyAt(SEED, 1795787877 + 60), code('expired'));
    assert.throws(() => seed.verifyAt(`${SEED.slice(0, -4)}AAAA`, 1795701500), code('invalid_signature'));
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${SEED.split('.')[1]}.`;
    assert.throws(() => seed.verifyAt(none, 1795701500), code('algorithm_not_allowed'));
    assert.throws(() => seed.verify('not a token'), code('malformed'));
    assert.throws(() => Verifier.fromJwks(jwks).verifyAt(SEED, 1795701500), code('algorithm_not_allowed'));
    const strict = Verifier.fromHs256Secret(SECRET, { requireExp: true });
    assert.throws(() => strict.verify(mint({ id: 1 })), code('missing_claim'));
    assert.equal(Verifier.fromHs256Secret(SECRET, { requireExp: false }).verify(mint({ id: 1 })).id, 1);
  });

  test('options: leeway, issuer and audience', () => {
    const now = nowSeconds();
    const token = mint({ iss: 'authd', aud: 'app', exp: now - 30 });
    assert.throws(() => Verifier.fromHs256Secret(SECRET, { audience: 'app' }).verify(mint({ aud: 'app', exp: now - 120 })), code('expired'));
    assert.equal(Verifier.fromHs256Secret(SECRET, { audience: 'app' }).verify(token).iss, 'authd');
    assert.throws(() => Verifier.fromHs256Secret(SECRET, { audience: 'app', leewaySeconds: 0 }).verify(token), code('expired'));
    assert.throws(() => Verifier.fromHs256Secret(SECRET, { audience: 'app', issuer: 'other' }).verify(token), code('invalid_issuer'));
    assert.throws(() => Verifier.fromHs256Secret(SECRET, { audience: 'web' }).verify(token), code('invalid_audience'));
    assert.throws(() => Verifier.fromHs256Secret(SECRET).verify(token), code('invalid_audience'));
  });

  test('misspelt or mistyped options are refused, not ignored', () => {
    for (const bad of [
      { audiance: 'app' }, { audiance: undefined }, { leeway: 5 }, { leewaySeconds: -1 }, { leewaySeconds: 1.5 },
      { leewaySeconds: Number.NaN }, { leewaySeconds: Infinity }, { leewaySeconds: '5' }, { leewaySeconds: 2 ** 64 },
      { requireExp: 'yes' }, { issuer: 5 }, { audience: ['app'] }, [], [60], 'x', 5,
    ]) {
      assert.throws(() => Verifier.fromHs256Secret(SECRET, bad), code('invalid_argument'), String(bad));
    }
  });

  test('absent options take the defaults; null members are absent', () => {
    const token = mint({ id: 1, exp: nowSeconds() - 30 });
    for (const options of [undefined, null, {}, { leewaySeconds: null, issuer: undefined, audience: null, requireExp: null }]) {
      assert.equal(Verifier.fromHs256Secret(SECRET, options).verify(token).id, 1, JSON.stringify(options));
    }
    assert.equal(Verifier.fromHs256Secret(SECRET, { leewaySeconds: 2 ** 53 }).verify(mint({ id: 1, exp: 1 })).id, 1);
  });

  test('fromKeys mixes a shared secret (with kid) and a JWKS, in order', () => {
    const keys = vectors.keys;
    const v = Verifier.fromKeys([
      { hs256Secret: 'your-secret-key', legacy: true },
      { hs256Secret: Buffer.from(keys['hs-2026'].secret_b64url, 'base64url'), kid: 'hs-2026' },
      { jwks },
    ]);
    assert.equal(v.verifyAt(SEED, 1795701500).id, 1);
    const ed = byName('eddsa-kid-roles');
    assert.equal(v.verifyAt(ed.token, ed.verify[0].now).id, 7);
  });

  test('fromKeys errors: duplicate kid, oct in a JWKS, unknown entry shapes', () => {
    const secret = 'x'.repeat(32);
    assert.throws(() => Verifier.fromKeys([{ hs256Secret: secret, kid: 'a' }, { hs256Secret: secret, kid: 'a' }]), code('duplicate_key_id'));
    assert.throws(() => Verifier.fromKeys([{ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }]), code('unsupported_key'));
    assert.throws(() => Verifier.fromJwks('{'), code('invalid_jwks'));
    assert.throws(() => Verifier.fromKeys([{ secret }]), code('invalid_argument'));
    assert.throws(() => Verifier.fromKeys([{ jwks, kid: 'x' }]), code('invalid_argument'));
    assert.throws(() => Verifier.fromKeys([{ hs256Secret: secret, legacy: 'yes' }]), code('invalid_argument'));
    assert.throws(() => Verifier.fromKeys({}), code('invalid_argument'));
    assert.throws(() => Verifier.fromKeys([{ hs256Secret: 'short' }]), code('weak_secret'));
  });

  test('tokens jose 6 signs verify, with alg EdDSA or Ed25519 (RFC 9864), and jose verifies ours', async () => {
    const jose = await import('jose');
    const { publicKey, privateKey } = await jose.generateKeyPair('Ed25519', { extractable: true });
    const publicJwk = await jose.exportJWK(publicKey);
    for (const alg of ['EdDSA', 'Ed25519']) {
      const token = await new jose.SignJWT({ id: 9, roles: ['user'] })
        .setProtectedHeader({ alg, kid: 'k1' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      for (const jwkAlg of [undefined, 'EdDSA', 'Ed25519']) {
        const jwks = { keys: [{ ...publicJwk, kid: 'k1', ...(jwkAlg ? { alg: jwkAlg } : {}) }] };
        const claims = Verifier.fromJwks(jwks).verify(token);
        assert.equal(claims.id, 9, `${alg} token, JWK alg ${jwkAlg}`);
        assert.deepEqual(claims.roles, ['user']);
      }
      // An ES256 key under the same kid is not an Ed25519 key, whatever the name.
      const es = await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).publicKey);
      assert.throws(() => Verifier.fromJwks({ keys: [{ ...es, kid: 'k1' }] }).verify(token), code('algorithm_not_allowed'));
    }
    const eddsa = byName('eddsa-kid-roles');
    const jwks = jose.createLocalJWKSet(vectors.keys.jwks.jwks);
    const { payload } = await jose.jwtVerify(eddsa.token, jwks, { currentDate: new Date(eddsa.verify[0].now * 1000) });
    assert.equal(payload.id, 7);
  });

  test('an Ed25519 x in a non-canonical encoding is invalid_key (RFC 8032 5.1.3: y >= p)', () => {
    const okp = (bytes) => ({ keys: [{ kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes).toString('base64url') }] });
    const y3 = new Uint8Array(32);
    y3[0] = 3; // a point of large order
    const y3PlusP = new Uint8Array(32).fill(0xff);
    y3PlusP[0] = 0xed + 3; // p + 3 = 2^255 - 16, the same point
    y3PlusP[31] = 0x7f;
    Verifier.fromJwks(okp(y3));
    assert.throws(() => Verifier.fromJwks(okp(y3PlusP)), code('invalid_key'));
  });
});
