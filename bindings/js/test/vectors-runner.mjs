// Runs the conformance corpus tests/vectors/vectors.json (schema: tests/vectors/README.md) against
// the package. Shared by the Node test and the Chromium page, so both run the same checks; uses no
// Node API. Returns one result per check: { name, ok, detail }.

const CLAIM_FIELDS = ['id', 'user_id', 'roles', 'iat', 'nbf', 'exp', 'iss', 'sub', 'aud', 'jti'];

/** Unpadded base64url → bytes, without Buffer or atob's padding rules. */
function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Stable JSON for comparison (sorted object keys). */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The corpus's claims view of `verify`'s result (`VerifiedClaims`): every field, null when absent. */
function claimsView(claims) {
  const view = {};
  for (const field of CLAIM_FIELDS) view[field] = field === 'user_id' ? claims.userId : claims[field];
  return view;
}

/**
 * An expected view of the corpus as the records give it: the corpus writes `aud` as the token does
 * (a string or an array), `Inspection` and `VerifiedClaims` always as an array.
 */
function withAudAsList(view) {
  return typeof view.aud === 'string' ? { ...view, aud: [view.aud] } : view;
}

/** The corpus's inspect view of `inspectToken`'s result. */
function inspectView(info, expired) {
  const view = {
    alg: info.alg,
    kid: info.kid,
    typ: info.typ,
    expired,
    seconds_left: info.secondsLeft,
  };
  for (const field of CLAIM_FIELDS) view[field] = field === 'user_id' ? info.userId : info[field];
  return view;
}

/** The outcome of `fn`: "ok" with its value, or the AuthcoreError code. */
function outcome(authcore, fn) {
  try {
    return { result: 'ok', value: fn() };
  } catch (error) {
    if (error instanceof authcore.AuthcoreError) return { result: error.code, error };
    return { result: `unexpected ${error && error.name}: ${error && error.message}`, error };
  }
}

/**
 * Compares an outcome with the expectation, honouring `core_bug` markers: while the core gives
 * exactly `core_bug.actual` the case passes; the expected result then fails it (the bug is fixed,
 * the marker must go), as does anything else.
 */
function judge(got, expected, coreBug) {
  if (coreBug) {
    if (got === coreBug.actual) return { ok: true, detail: `known core bug: ${coreBug.note}` };
    if (got === expected) {
      return { ok: false, detail: `gave the expected ${expected}: remove the core_bug marker` };
    }
    return { ok: false, detail: `expected known-bug result ${coreBug.actual}, got ${got}` };
  }
  return got === expected ? { ok: true, detail: '' } : { ok: false, detail: `expected ${expected}, got ${got}` };
}

/** The `VerifierKey` entries of one named key spec, checking the strict/legacy rule on the way. */
function verifierKeys(authcore, name, spec) {
  if (spec.jwks) return [{ jwks: spec.jwks }];
  // One JWK (public or private) is read as a one-key JWKS: `fromKeys` only takes public keys, and
  // the private part of a JWK is not needed to verify.
  if (spec.jwk) return [{ jwks: { keys: [spec.jwk] } }];
  const secret = spec.secret_utf8 !== undefined ? spec.secret_utf8 : fromBase64Url(spec.secret_b64url);
  const entry = { hs256Secret: secret };
  if (spec.kid) entry.kid = spec.kid;
  if (spec.legacy) {
    const strict = outcome(authcore, () => authcore.Verifier.fromKeys([entry]));
    if (strict.result !== 'weak_secret') {
      throw new Error(`key ${name}: the strict constructor gave ${strict.result}, not weak_secret`);
    }
    entry.legacy = true;
  }
  return [entry];
}

/**
 * Runs every token vector: its `inspect` expectation and each `verify` case (only the `inspect`
 * expectations with `inspectOnly`, for the `authcore/inspect` entry).
 * @param {typeof import('../index.js') | typeof import('../inspect.js')} authcore
 * @param {any} vectors the parsed vectors.json
 * @param {{ inspectOnly?: boolean }} [options]
 * @returns {{ name: string, ok: boolean, detail: string }[]}
 */
export function runTokenVectors(authcore, vectors, { inspectOnly = false } = {}) {
  if (vectors.schema !== 1) throw new Error(`vectors schema ${vectors.schema}; this runner reads 1`);
  const results = [];
  const keyCache = new Map();
  const keysFor = (names) => names.flatMap((n) => {
    if (!keyCache.has(n)) {
      const spec = vectors.keys[n];
      if (!spec) throw new Error(`no key named ${n}`);
      keyCache.set(n, verifierKeys(authcore, n, spec));
    }
    return keyCache.get(n);
  });

  for (const vector of vectors.tokens) {
    // inspect
    const ins = vector.inspect;
    const got = outcome(authcore, () => {
      const info = authcore.inspectToken(vector.token, ins.now);
      const expired = authcore.isExpired(vector.token, ins.leeway, ins.now);
      if (ins.leeway === 0 && expired !== info.expired) throw new Error('isExpired and inspectToken disagree');
      return inspectView(info, expired);
    });
    const expectedInspect = ins.error !== undefined ? ins.error : 'ok';
    let verdict = judge(got.result, expectedInspect, ins.core_bug);
    if (verdict.ok && got.result === 'ok' && !ins.core_bug) {
      const want = withAudAsList(ins.result);
      if (canonical(got.value) !== canonical(want)) {
        verdict = { ok: false, detail: `view ${canonical(got.value)} != ${canonical(want)}` };
      }
    }
    results.push({ name: `inspect ${vector.name}`, ...verdict });
    if (inspectOnly) continue;

    // verify
    vector.verify.forEach((c, i) => {
      const name = `verify ${vector.name} #${i} [${c.keys.join('+')}] → ${c.result}`;
      let res;
      try {
        const verifier = authcore.Verifier.fromKeys(keysFor(c.keys), {
          leewaySeconds: c.leeway,
          requireExp: c.require_exp,
          issuer: c.issuer,
          audience: c.audience,
        });
        res = outcome(authcore, () => verifier.verifyAt(vector.token, c.now));
        verifier.free();
      } catch (error) {
        results.push({ name, ok: false, detail: `cannot build the verifier: ${error.code || ''} ${error.message}` });
        return;
      }
      let v = judge(res.result, c.result, c.core_bug);
      if (v.ok && res.result === 'ok' && c.claims && !c.core_bug) {
        const view = claimsView(res.value);
        const want = withAudAsList(c.claims);
        if (canonical(view) !== canonical(want)) {
          v = { ok: false, detail: `claims ${canonical(view)} != ${canonical(want)}` };
        }
      }
      results.push({ name, ...v });
    });
  }
  if (!inspectOnly) {
    // Keys every surface must refuse (`refused`), with exactly that code.
    const refused = Object.entries(vectors.keys).filter(([, spec]) => spec.refused !== undefined);
    if (refused.length === 0) throw new Error('the corpus has no keys that must be refused');
    for (const [name, spec] of refused) {
      const got = outcome(authcore, () => authcore.Verifier.fromKeys(verifierKeys(authcore, name, spec)));
      results.push({ name: `key ${name} refused → ${spec.refused}`, ...judge(got.result, spec.refused) });
    }
  }
  return results;
}
