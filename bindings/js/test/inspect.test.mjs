// `authcore/inspect`: the inspect-only module gives every inspect vector the same result as Rust
// (and as the whole package), exports nothing that verifies, and loads the verifier on demand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as inspectOnly from 'authcore/inspect';
import * as authcore from 'authcore';
import { runTokenVectors } from './vectors-runner.mjs';
import { checkAgainstJsonPath, checkInspectCases, difference } from './inspect-cases.mjs';
// The whole module's own inspectToken (initialized by the import of 'authcore' above): the JSON path.
import { inspectToken as jsonPath } from '../wasm/authcore_wasm.js';
import { inspectApi } from '../inspect-reader.js';

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

test('a token or role that is not a string is invalid_argument on every surface, which keeps working', async () => {
  const seed = vectors.tokens.find((v) => v.name === 'seed-jsonwebtoken-id1').token;
  const verifier = authcore.Verifier.fromLegacyHs256Secret('your-secret-key');
  const session = new authcore.AuthSession(new authcore.MemoryStorage());
  const bad = [123, 12.5, null, undefined, true, {}, [], Symbol('t'), 10n, new String(seed), { length: 3, charCodeAt: () => 97 }];
  for (const value of bad) {
    for (const [name, call] of [
      ['token', (m) => m.inspectToken(value, 0)],
      ['token', (m) => m.isExpired(value, 0, 0)],
      ['token', (m) => m.hasRole(value, 'admin')],
      ['role', (m) => m.hasRole(seed, value)],
      ['token', () => verifier.verify(value)],
      ['token', () => verifier.verifyAt(value, 0)],
      ['role', () => session.hasRole(value)],
    ]) {
      for (const m of [inspectOnly, authcore]) {
        assert.throws(() => call(m), (e) => e instanceof authcore.AuthcoreError && e.code === 'invalid_argument' && e.message === `${name} must be a string`, `${String(typeof value)} ${call}`);
      }
    }
  }
  // A number of the wrong kind is still refused by JS's own conversion, as before.
  assert.throws(() => inspectOnly.isExpired(seed, 10n), TypeError);
  assert.throws(() => authcore.isExpired(seed, 10n), TypeError);
  for (const m of [inspectOnly, authcore]) {
    assert.equal(m.inspectToken(seed, 1795701480).secondsLeft, 86397);
    assert.equal(m.hasRole(seed, 'admin'), false);
  }
});

test('authcore/inspect\'s heap starts over at each call: its memory stops growing, its answers stay', () => {
  const instance = new WebAssembly.Instance(
    new WebAssembly.Module(readFileSync(new URL('../wasm/authcore_inspect.wasm', import.meta.url))),
  );
  const api = inspectApi(instance.exports);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'k'.repeat(100) });
  // As many one-letter roles as fit the size limit: the most strings one call allocates.
  const roles = Array.from({ length: 1300 }, (_, i) => 'abcdefg'[i % 7]);
  const big = `${header}.${b64({ id: 1, roles, exp: 2e9, aud: ['a', 'b'] })}.c2ln`;
  assert.ok(big.length <= 8192, `${big.length}`);
  const calls = [
    () => api.inspectToken(big, 1),
    () => api.hasRole(big, 'c'),
    () => api.isExpired(big, 0, 1),
    () => api.inspectToken(`${big}x`.repeat(2), 1),
    () => api.inspectToken('a.b', 1),
    () => api.hasRole(big, 'é'.repeat(5000)),
    ...vectors.tokens.map((v) => () => api.inspectToken(v.token, v.inspect.now)),
  ];
  const outcome = (call) => {
    try {
      return JSON.stringify(call());
    } catch (e) {
      return `${e.code}: ${e.message}`;
    }
  };
  const first = calls.map(outcome);
  assert.equal(JSON.parse(first[0]).roles.length, 1300);
  assert.equal(first[1], 'true');
  const pages = instance.exports.memory.buffer.byteLength;
  for (let round = 0; round < 200; round += 1) {
    for (const call of calls) outcome(call);
  }
  assert.equal(instance.exports.memory.buffer.byteLength, pages, 'the memory grew');
  assert.deepEqual(calls.map(outcome), first);
});

test('authcore/inspect has no verifier or session, and one class of error', async () => {
  assert.deepEqual(Object.keys(inspectOnly).sort(), ['AuthcoreError', 'hasRole', 'inspectToken', 'isExpired', 'loadVerifier']);
  assert.equal(inspectOnly.AuthcoreError, authcore.AuthcoreError);
  const full = await inspectOnly.loadVerifier();
  assert.equal(full.Verifier, authcore.Verifier);
  assert.equal(typeof full.AuthSession, 'function');
});

// inspectToken reads the module's record instead of JSON.parse-ing a text: the recorded answers of
// the earlier path (test/inspect-cases.json, checked against the core by `cargo test -p
// authcore-wasm`), on both modules, in Node and in Chromium.
const { cases } = JSON.parse(readFileSync(new URL('./inspect-cases.json', import.meta.url), 'utf8'));
const SEED = cases.find((c) => c.name === 'vector seed-jsonwebtoken-id1').token;

test('the recorded inspect cases cover the vectors and the edge cases', () => {
  const ok = cases.filter((c) => c.json !== undefined).length;
  assert.ok(cases.length > 1000 && ok > 400, `${cases.length} cases, ${ok} answered`);
  for (const v of vectors.tokens) assert.ok(cases.some((c) => c.token === v.token), v.name);
  assert.ok(cases.some((c) => c.json && JSON.parse(c.json).id === 2 ** 53), 'an id beyond 2^53');
  assert.ok(cases.some((c) => c.code === 'token_too_large') && cases.some((c) => c.token.length === 8192 && c.json));
});

test('the comparison sees types, -0, prototypes and key order', () => {
  assert.equal(difference({ a: 1, b: [1] }, JSON.parse('{"a":1,"b":[1]}')), '');
  assert.notEqual(difference({ a: 0 }, { a: -0 }), '');
  assert.notEqual(difference({ a: 1n }, { a: 1 }), '');
  assert.notEqual(difference({ a: 1, b: 2 }, { b: 2, a: 1 }), '');
  assert.notEqual(difference(Object.create(null), {}), '');
  assert.notEqual(difference({ a: ['x'] }, { a: { 0: 'x' } }), '');
  assert.notEqual(difference({ a: '\ufeffx' }, { a: 'x' }), '');
});

for (const [name, m] of [['authcore', authcore], ['authcore/inspect', inspectOnly]]) {
  test(`${name}: inspectToken gives every recorded answer (${cases.length} cases), errors included`, () => {
    const failures = checkInspectCases(m, cases);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  });
}

test('in Node, the whole package gives the inspect module\'s inspectToken', () => {
  assert.equal(authcore.inspectToken, inspectOnly.inspectToken);
  assert.equal(inspectOnly.inspectToken.name, 'inspectToken');
  assert.equal(inspectOnly.inspectToken.length, 2);
});

test('authcore/inspect answers as the JSON path (the whole module\'s inspectToken), JS-only arguments included', () => {
  const failures = checkAgainstJsonPath(inspectOnly, jsonPath, cases);
  assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
});

for (const [name, m] of [['authcore', authcore], ['authcore/inspect', inspectOnly]]) {
  test(`${name}: inspectToken still answers after the module's memory grew`, () => {
    const want = JSON.stringify(m.inspectToken(SEED, 1795701500));
    // 16 MiB passed as a string: wasm-bindgen allocates it in the module, whose memory grows (the
    // reader's views of the old buffer are then detached).
    assert.throws(() => m.inspectToken('a'.repeat(1 << 24), 0), (e) => e.code === 'token_too_large');
    assert.equal(JSON.stringify(m.inspectToken(SEED, 1795701500)), want);
  });
}

test('in Chromium: inspectToken gives every recorded answer on both modules', async (t) => {
  const { chromium } = await import('playwright-core');
  const pkg = fileURLToPath(new URL('..', import.meta.url));
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const file = path.join(pkg, path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    let body;
    try {
      if (!file.startsWith(pkg) || file.includes(`${path.sep}node_modules${path.sep}`)) throw new Error('outside');
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${e.stack || e}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/test/inspect-cases.html`);
  await page.waitForFunction(() => window.__results !== undefined, null, { timeout: 120_000 });
  const r = await page.evaluate(() => window.__results);
  t.diagnostic(`Chromium ${browser.version()}: ${r.cases} cases on each module`);
  assert.equal(r.error, undefined, `${r.error}\n${errors.join('\n')}`);
  assert.equal(r.cases, cases.length);
  for (const key of ['whole', 'inspectOnly', 'againstJsonPath']) {
    assert.deepEqual(r[key].slice(0, 20), [], `${key}: ${r[key].length} failures`);
  }
});
