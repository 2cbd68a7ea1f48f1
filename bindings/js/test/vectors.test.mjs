// Every token vector of tests/vectors/vectors.json, in Node, with the same results as Rust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as authcore from 'authcore';
import { runTokenVectors } from './vectors-runner.mjs';

const vectors = JSON.parse(
  readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'),
);
const results = runTokenVectors(authcore, vectors);

test('the corpus has token vectors and every one was run', () => {
  assert.ok(vectors.tokens.length > 0);
  const cases = vectors.tokens.reduce((n, v) => n + 1 + v.verify.length, 0);
  assert.equal(results.length, cases);
});

for (const r of results) {
  test(`vector: ${r.name}`, () => {
    assert.ok(r.ok, r.detail);
  });
}
