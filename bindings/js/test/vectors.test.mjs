// Every token vector of tests/vectors/vectors.json and every session scenario of
// tests/vectors/sessions.json, in Node, with the same results as Rust.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import * as authcore from 'authcore';
import { runTokenVectors } from './vectors-runner.mjs';
import { parseSessions, runSessionScenarios } from './sessions-runner.mjs';

const text = (name) => readFileSync(new URL(`../../../tests/vectors/${name}`, import.meta.url), 'utf8');
const vectors = JSON.parse(text('vectors.json'));
const results = runTokenVectors(authcore, vectors);

test('the corpus has token vectors and every one was run, and every key that must be refused', () => {
  assert.ok(vectors.tokens.length > 0);
  const cases = vectors.tokens.reduce((n, v) => n + 1 + v.verify.length, 0);
  const refused = Object.values(vectors.keys).filter((spec) => spec.refused !== undefined).length;
  assert.ok(refused > 0);
  assert.equal(results.length, cases + refused);
});

for (const r of results) {
  test(`vector: ${r.name}`, () => {
    assert.ok(r.ok, r.detail);
  });
}

const sessions = parseSessions(text('sessions.json'));
const scenarios = await runSessionScenarios(authcore, sessions);

test('the session corpus has scenarios and every one was replayed', (t) => {
  assert.ok(Array.isArray(sessions.scenarios) && sessions.scenarios.length > 0, 'sessions.json has no scenarios');
  assert.equal(scenarios.length, sessions.scenarios.length);
  const steps = scenarios.reduce((n, r) => n + r.steps, 0);
  const passed = scenarios.filter((r) => r.ok).length;
  t.diagnostic(`sessions (node): ${passed} of ${scenarios.length} scenarios passed (${steps} steps agreed)`);
});

for (const r of scenarios) {
  test(`session scenario: ${r.name}`, () => {
    assert.ok(r.ok, r.detail);
  });
}
