// Two builds of the `authcore/inspect` module side by side in Node: the median, over interleaved
// rounds, of B's inspectToken calls per second divided by A's, on the seed's HS256 token and an
// EdDSA token with a kid and roles. For a change to the module: keep a copy of the .wasm before it.
//
//   node bench/compare-inspect.mjs A.wasm B.wasm [--rounds 21] [--ms 200]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { inspectApi } from '../inspect-reader.js';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const [a, b] = args.filter((x) => x.endsWith('.wasm'));
if (!a || !b) throw new Error('usage: node bench/compare-inspect.mjs A.wasm B.wasm [--rounds N] [--ms N]');
const ROUNDS = option('--rounds', 21);
const MS = option('--ms', 200);

const vectors = JSON.parse(readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const tokens = {
  'HS256 (seed)': vectors.sign.find((v) => v.name === 'seed-hs256-id1').token,
  'EdDSA (kid, roles)': vectors.tokens.find((v) => v.name === 'eddsa-kid-roles').token,
};
const load = (file) => inspectApi(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file))).exports);
const apis = [load(a), load(b)];

/** inspectToken calls per second of `api` on `token` over one round. */
const rate = (api, token) => {
  let n = 0;
  const start = performance.now();
  const end = start + MS;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i += 1) api.inspectToken(token, 1);
    n += 200;
  }
  return n / ((performance.now() - start) / 1000);
};
const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];

const ratios = Object.fromEntries(Object.keys(tokens).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, token] of Object.entries(tokens)) {
    const [x, y] = apis.map((api) => rate(api, token));
    ratios[name].push(y / x);
  }
}
for (const [name, rs] of Object.entries(ratios)) {
  console.log(`${name}: B/A ${median(rs).toFixed(3)} (median of ${ROUNDS} rounds; range ${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)})`);
}
