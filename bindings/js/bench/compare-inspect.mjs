// Two builds of the `authcore/inspect` module side by side in Node: the median, over interleaved
// rounds, of B's inspectToken calls per second divided by A's, on the seed's HS256 token and an
// EdDSA token with a kid and roles. For a change to the module: keep a copy of the .wasm before it;
// for a change to the reader, give each side its reader (default: src/inspect-reader.js).
//
//   node bench/compare-inspect.mjs A.wasm B.wasm [--reader-a A.js] [--reader-b B.js] [--rounds 21] [--ms 200]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const [a, b] = args.filter((x) => x.endsWith('.wasm'));
if (!a || !b) throw new Error('usage: node bench/compare-inspect.mjs A.wasm B.wasm [--rounds N] [--ms N]');
const ROUNDS = Number(option('--rounds', 21));
const MS = Number(option('--ms', 200));
const defaultReader = new URL('../src/inspect-reader.js', import.meta.url).href;
const reader = async (name) => (await import(option(name, null) ? pathToFileURL(option(name)).href : defaultReader)).inspectApi;
const readers = [await reader('--reader-a'), await reader('--reader-b')];

const vectors = JSON.parse(readFileSync(new URL('../../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
const tokens = {
  'HS256 (seed)': vectors.sign.find((v) => v.name === 'seed-hs256-id1').token,
  'EdDSA (kid, roles)': vectors.tokens.find((v) => v.name === 'eddsa-kid-roles').token,
};
const load = (file, inspectApi) => inspectApi(new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file))).exports);
const apis = [load(a, readers[0]), load(b, readers[1])];

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
