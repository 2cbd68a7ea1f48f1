// `authcore/inspect`: the inspect-only module gives every inspect vector the same result as Rust
// (and as the whole package), exports nothing that verifies, and loads the verifier on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as inspectOnly from 'authcore/inspect';
import * as authcore from 'authcore';
import { runTokenVectors } from './vectors-runner.mjs';

const vectors = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'),
);
const results = runTokenVectors(inspectOnly, vectors, { inspectOnly: true });

test('every inspect vector was run on authcore/inspect', () => {
  assert.ok(vectors.tokens.length > 0);
  assert.equal(results.length, vectors.tokens.length);
});

for (const r of results) {
  test(`authcore/inspect vector: ${r.name}`, () => {
    assert.ok(r.ok, r.detail);
  });
}

test('authcore/inspect answers exactly as the whole package, errors included', () => {
  const outcome = (m, fn) => {
    try {
      return JSON.stringify(fn(m));
    } catch (e) {
      assert.ok(e instanceof m.AuthcoreError, `${e}`);
      return `${e.code}: ${e.message}`;
    }
  };
  for (const v of vectors.tokens) {
    for (const fn of [
      (m) => m.inspectToken(v.token, v.inspect.now),
      (m) => m.isExpired(v.token, 30, v.inspect.now),
      (m) => m.hasRole(v.token, 'admin'),
    ]) {
      assert.equal(outcome(inspectOnly, fn), outcome(authcore, fn), v.name);
    }
  }
  assert.equal(outcome(inspectOnly, (m) => m.isExpired('a.b.c', -1)), outcome(authcore, (m) => m.isExpired('a.b.c', -1)));
});

test('authcore/inspect has no verifier or session, and one class of error', async () => {
  assert.deepEqual(Object.keys(inspectOnly).sort(), ['AuthcoreError', 'hasRole', 'inspectToken', 'isExpired', 'loadVerifier']);
  assert.equal(inspectOnly.AuthcoreError, authcore.AuthcoreError);
  const full = await inspectOnly.loadVerifier();
  assert.equal(full.Verifier, authcore.Verifier);
  assert.equal(typeof full.AuthSession, 'function');
});
