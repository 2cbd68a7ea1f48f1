// Holds `inspectToken` (which reads the module's record) to the answers of the path it replaced:
// `JSON.parse` of the serde_json text of the core's Inspection, or the error's code and message,
// as test/inspect-cases.json records them (written and checked by `cargo test -p authcore-wasm
// inspect_cases`). Shared by the Node test and the Chromium page; uses no Node API.

/** Where `got` and `want` differ (types, number vs bigint, -0, prototypes, key order, property
 * attributes, values), or '' when they are the same. */
export function difference(got, want, at = '$') {
  if (typeof got !== typeof want) return `${at}: ${typeof got} vs ${typeof want}`;
  if (got === null || want === null || typeof got !== 'object') {
    return Object.is(got, want) ? '' : `${at}: ${String(got)} vs ${String(want)}`;
  }
  if (Object.getPrototypeOf(got) !== Object.getPrototypeOf(want)) return `${at}: another prototype`;
  if (Array.isArray(got) !== Array.isArray(want)) return `${at}: array vs object`;
  const keys = Reflect.ownKeys(got);
  const wantKeys = Reflect.ownKeys(want);
  if (keys.length !== wantKeys.length || keys.some((k, i) => k !== wantKeys[i])) {
    return `${at}: keys ${keys.map(String)} vs ${wantKeys.map(String)}`;
  }
  for (const k of keys) {
    const [g, w] = [Object.getOwnPropertyDescriptor(got, k), Object.getOwnPropertyDescriptor(want, k)];
    for (const attr of ['writable', 'enumerable', 'configurable', 'get', 'set']) {
      if (g[attr] !== w[attr]) return `${at}.${String(k)}: ${attr} differs`;
    }
    const d = difference(g.value, w.value, `${at}.${String(k)}`);
    if (d) return d;
  }
  return Object.isExtensible(got) === Object.isExtensible(want) ? '' : `${at}: extensibility differs`;
}

/** `fn`'s value, or its error as `{ code, message, name, authcore }`. */
function outcome(m, fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { code: e && e.code, message: e && e.message, name: e && e.name, authcore: e instanceof m.AuthcoreError } };
  }
}

const sameError = (a, b) => a.code === b.code && a.message === b.message && a.name === b.name && a.authcore === b.authcore;

/**
 * Every case on module `m` (the whole package or `authcore/inspect`): `inspectToken` against the
 * recorded answer, and against `isExpired`, which still takes the token through wasm-bindgen's
 * string passing (same errors, same `expired`). Returns the failures (empty when all pass).
 */
export function checkInspectCases(m, cases) {
  const failures = [];
  for (const c of cases) {
    const got = outcome(m, () => m.inspectToken(c.token, c.now));
    if (c.json !== undefined) {
      if (got.error) failures.push(`${c.name}: threw ${got.error.code}: ${got.error.message}`);
      else {
        const d = difference(got.value, JSON.parse(c.json));
        if (d) failures.push(`${c.name}: ${d}`);
      }
    } else if (!got.error || !got.error.authcore || got.error.code !== c.code || got.error.message !== c.message) {
      failures.push(`${c.name}: ${got.error ? `${got.error.code}: ${got.error.message}` : 'no error'}, want ${c.code}: ${c.message}`);
    }
    const expired = outcome(m, () => m.isExpired(c.token, 0, c.now));
    if (got.error ? !expired.error || !sameError(got.error, expired.error) : expired.value !== got.value.expired) {
      failures.push(`${c.name}: isExpired disagrees`);
    }
  }
  return failures;
}

/** Whether two outcomes are the same: equal values (see `difference`) or the same error. */
function sameOutcome(a, b) {
  if (a.error || b.error) return Boolean(a.error && b.error && sameError(a.error, b.error));
  return difference(a.value, b.value) === '';
}

/**
 * `m.inspectToken` against `reference` (the whole package's, which still returns `JSON.parse` of
 * the record's JSON text) on every case and on arguments only JS can give: lone surrogates in the
 * token string, tokens too long for the input buffer, non-strings, odd clocks. Returns the failures.
 */
export function checkAgainstJsonPath(m, reference, cases) {
  const failures = [];
  const seed = cases.find((c) => c.name === 'vector seed-jsonwebtoken-id1').token;
  // A token without `exp`: its answer does not depend on Date.now when no clock is given.
  const noExp = `${seed.split('.')[0]}.eyJpZCI6MX0.c2ln`;
  const tokens = [
    seed, noExp, `${seed}\ud800`, `\udc00${seed}`, `${seed.slice(0, 10)}\ud83d${seed.slice(10)}`, `${seed}\ufffd`,
    `${seed}é`, 'é'.repeat(4096), 'é'.repeat(4097), `${'a'.repeat(8191)}\ud800`, 'a'.repeat(1 << 20),
    123, 12.5, null, undefined, true, {}, [], Symbol('t'), 10n, new String(seed), { length: 3, charCodeAt: () => 97 },
  ];
  const clocks = [undefined, null, 1795701500, 1795787877, -0, 0.5, -1.5, NaN, Infinity, -Infinity, 2 ** 63, '1795701500', true, 10n, {}, [], { valueOf: () => 1795701500 }];
  for (const [i, token] of tokens.entries()) {
    for (const [j, now] of clocks.entries()) {
      if ((now === undefined || now === null || typeof now === 'object') && token === seed) continue; // Date.now
      const got = outcome(m, () => m.inspectToken(token, now));
      const want = outcome(m, () => reference(token, now));
      if (!sameOutcome(got, want)) failures.push(`token #${i}, now #${j}: ${JSON.stringify(got.error || 'a value')} vs ${JSON.stringify(want.error || 'a value')}`);
    }
  }
  for (const c of cases) {
    if (!sameOutcome(outcome(m, () => m.inspectToken(c.token, c.now)), outcome(m, () => reference(c.token, c.now)))) {
      failures.push(`${c.name}: differs from the JSON path`);
    }
  }
  return failures;
}
