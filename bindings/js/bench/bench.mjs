// Verify and inspect throughput in Node: authcore (wasm) vs jose (WebCrypto) vs jwt-decode, on the
// same tokens: the seed's HS256 token and an EdDSA token with a kid (verified through a JWKS).
// Not a test: prints a markdown table; `--write` also rewrites ../BENCH.md with it and the sizes.
//
//   node bench/bench.mjs [--write] [--seconds 1]
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { Verifier, inspectToken } from 'authcore';
import { inspectToken as inspectOnly } from 'authcore/inspect';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { jwtDecode } from 'jwt-decode';

import { measureSizes, sizeTable } from './size.mjs';

const args = process.argv.slice(2);
const SECONDS = Number(args[args.indexOf('--seconds') + 1]) || 1;
const ROUNDS = 5;

const vectors = JSON.parse(readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const HS = vectors.sign.find((v) => v.name === 'seed-hs256-id1').token;
const ED = vectors.tokens.find((v) => v.name === 'eddsa-kid-roles');
const NOW = ED.verify.find((c) => c.result === 'ok').now; // inside both tokens' lifetimes
const jwks = vectors.keys.jwks.jwks;
const secret = vectors.keys.seed.secret_utf8;

const authcoreHs = Verifier.fromLegacyHs256Secret(secret, { leewaySeconds: 0 });
const authcoreEd = Verifier.fromJwks(jwks, { leewaySeconds: 0 });
const joseSecret = new TextEncoder().encode(secret);
// Fair to jose: the HMAC key imported once, as a service would keep it. With the raw Uint8Array,
// jose re-imports the key on every call (measured too, in its own row).
const joseKey = await crypto.subtle.importKey('raw', joseSecret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
const joseJwks = createLocalJWKSet(jwks);
const joseOptions = { currentDate: new Date(NOW * 1000), algorithms: ['HS256', 'EdDSA'] };

/** Ops/s of `fn` over one round of SECONDS. */
async function round(fn, isAsync) {
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) {
      if (isAsync) await fn();
      else fn();
    }
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Each case is checked once before it is timed, so a broken setup cannot bench an exception.
const cases = [
  ['verify HS256 (seed token)', 'authcore', () => authcoreHs.verifyAt(HS, NOW), false, (r) => r.id === 1],
  ['verify HS256 (seed token)', 'jose', () => jwtVerify(HS, joseKey, joseOptions), true, (r) => r.payload.id === 1],
  ['verify HS256, jose given the raw secret (imported per call)', 'jose', () => jwtVerify(HS, joseSecret, joseOptions), true, (r) => r.payload.id === 1],
  ['verify EdDSA (JWKS, kid)', 'authcore', () => authcoreEd.verifyAt(ED.token, NOW), false, (r) => r.id === 7],
  ['verify EdDSA (JWKS, kid)', 'jose', () => jwtVerify(ED.token, joseJwks, joseOptions), true, (r) => r.payload.id === 7],
  ['inspect HS256 (header + claims)', 'authcore', () => inspectToken(HS, NOW), false, (r) => r.userId === 1],
  ['inspect HS256 (header + claims)', 'jose', () => [decodeProtectedHeader(HS), decodeJwt(HS)], false, (r) => r[1].id === 1],
  ['inspect HS256 (header + claims)', 'jwt-decode', () => [jwtDecode(HS, { header: true }), jwtDecode(HS)], false, (r) => r[1].id === 1],
  ['inspect EdDSA (header + claims)', 'authcore', () => inspectToken(ED.token, NOW), false, (r) => r.userId === 7],
  ['inspect EdDSA (header + claims)', 'jose', () => [decodeProtectedHeader(ED.token), decodeJwt(ED.token)], false, (r) => r[1].id === 7],
  ['inspect EdDSA (header + claims)', 'jwt-decode', () => [jwtDecode(ED.token, { header: true }), jwtDecode(ED.token)], false, (r) => r[1].id === 7],
  ['inspect HS256 on `authcore/inspect`', 'authcore', () => inspectOnly(HS, NOW), false, (r) => r.userId === 1],
  ['inspect HS256 on `authcore/inspect`', 'jose', () => [decodeProtectedHeader(HS), decodeJwt(HS)], false, (r) => r[1].id === 1],
  ['inspect EdDSA on `authcore/inspect`', 'authcore', () => inspectOnly(ED.token, NOW), false, (r) => r.userId === 7],
  ['inspect EdDSA on `authcore/inspect`', 'jose', () => [decodeProtectedHeader(ED.token), decodeJwt(ED.token)], false, (r) => r[1].id === 7],
];

// Rounds are interleaved (every case once per round, ROUNDS times, after a warm-up round), so a
// load swing on the shared machine hits every case alike; the ratio column is the median of the
// per-round ratios.
for (const [op, lib, fn, , ok] of cases) {
  const result = await fn();
  if (!ok(result)) throw new Error(`${lib} ${op}: unexpected result ${JSON.stringify(result)}`);
}
const rates = cases.map(() => []);
for (let r = -1; r < ROUNDS; r += 1) {
  for (const [i, [, , fn, isAsync]] of cases.entries()) {
    const rate = await round(fn, isAsync);
    if (r >= 0) rates[i].push(rate);
  }
}
const rows = cases.map(([op, lib], i) => ({ op, lib, rate: median(rates[i]), rates: rates[i] }));
for (const { op, lib, rate } of rows) {
  process.stderr.write(`${op.padEnd(34)} ${lib.padEnd(10)} ${Math.round(rate).toLocaleString('en-US')} ops/s\n`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const table = [
  '| operation | authcore (wasm) | jose (WebCrypto) | jwt-decode | authcore ÷ jose |',
  '|---|---:|---:|---:|---:|',
  ...[...new Set(rows.map((r) => r.op))].map((op) => {
    const cell = (lib) => {
      const r = rows.find((x) => x.op === op && x.lib === lib);
      return r ? `${fmt(r.rate)}/s (${(1e6 / r.rate).toFixed(1)} µs)` : '—';
    };
    const of = (lib) => rows.find((x) => x.op === op && x.lib === lib)?.rates;
    const [a, j] = [of('authcore'), of('jose')];
    const ratio = a && j ? `${median(a.map((x, i) => x / j[i])).toFixed(2)}×` : '—';
    return `| ${op} | ${cell('authcore')} | ${cell('jose')} | ${cell('jwt-decode')} | ${ratio} |`;
  }),
].join('\n');

const cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
const machine = `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}; Node ${process.version}`;
const versions = ['jose', 'jwt-decode'].map((n) => `${n} ${JSON.parse(readFileSync(new URL(`../node_modules/${n}/package.json`, import.meta.url), 'utf8')).version}`).join(', ');
console.log(table);

if (args.includes('--write')) {
  const date = new Date().toISOString().slice(0, 10);
  const doc = `# authcore in Node: throughput and size

Generated by \`node bench/bench.mjs --write\` (after \`./build.sh\` and \`npm ci\`) on ${date}.
Machine: ${machine}. Compared with ${versions}.

## Operations per second

Median of ${ROUNDS} interleaved rounds (every case once per round) of ${SECONDS} s after a warm-up
round, one call at a time (jose's
verify is async: each call is awaited). jose verifies HS256 with a \`CryptoKey\` imported once
before timing (the fair comparison); the row below it gives jose the raw secret, which it imports
again on every call. Same tokens for everyone: the seed's HS256 token
(\`your-secret-key\`) and the EdDSA token \`eddsa-kid-roles\` of \`tests/vectors\`, verified against
the vectors' JWKS (3 keys, looked up by \`kid\`) at a fixed time inside both lifetimes. "inspect"
decodes the header and the claims without verifying (authcore \`inspectToken\`; jose
\`decodeProtectedHeader\` + \`decodeJwt\`; jwt-decode \`jwtDecode\` twice, with and without
\`{header: true}\`). The \`authcore/inspect\` rows call the inspect-only module (the core's small
JSON reader instead of serde_json; same answers), against jose again in the same round.

${table}

The machine is shared (other builds may run at the same time): rounds differ by up to ~30 %, so
read the ratios (the last column: the median of the per-round ratios), not the last digit.

What the numbers include: for authcore every call crosses the JS↔wasm boundary (the token is
copied into wasm memory as UTF-8; verify's claims come back through \`JSON.parse\`, inspect's as a
binary record read in JS, see \`wasm/src/inspect.rs\`: in Node the whole package's \`inspectToken\`
is \`authcore/inspect\`'s, so both inspect rows run the same code there), and verify re-checks
the claims' types, \`exp\`/\`nbf\`, \`iss\`/\`aud\` exactly as the server does. jose runs the signature
in WebCrypto (native code behind a promise). jwt-decode only base64-decodes and \`JSON.parse\`s.

## Download size

${sizeTable(measureSizes())}

Measured by \`node bench/size.mjs\`: each set of files concatenated as published (the generated glue and the package's own JS minified by build.sh) and
piped through \`gzip -9 -c | wc -c\`. jose's files are those reached, through relative imports, from
the entry points of the same feature set (jwtVerify, createLocalJWKSet, importJWK, decodeJwt), as
jose publishes them (not minified: a bundler's minifier would shrink jose's and jwt-decode's JS
further; authcore's is shipped minified); the .wasm is already minimal
(\`wasm-opt -Oz --strip-debug --strip-producers\`).
`;
  writeFileSync(new URL('../BENCH.md', import.meta.url), doc);
  process.stderr.write('wrote BENCH.md\n');
}
