// Replays the session scenarios of tests/vectors/sessions.json (schema: tests/vectors/README.md)
// on the package's AuthSession. Shared by the Node test and the Chromium page, so both run the same
// checks; uses no Node API. The clock is injected by replacing Date.now (the wasm engine reads the
// time through it) for the duration of each clocked step.

import { canonical } from './vectors-runner.mjs';

const KEY = 'authcore.session';
const STYLES = { access_token: 'accessToken', bearer: 'bearer', both: 'both' };

/**
 * A StorageLike holding the one session value. `afterNextRead` runs once, right after the next
 * `getItem` has read the value: another process writing just after this session read.
 */
class ScriptedStorage {
  #value = null;
  afterNextRead = null;

  getItem(key) {
    if (key !== KEY) throw new Error(`unexpected storage key ${key}`);
    const value = this.#value;
    const hook = this.afterNextRead;
    this.afterNextRead = null;
    if (hook) hook();
    return value;
  }

  setItem(key, value) {
    if (key !== KEY) throw new Error(`unexpected storage key ${key}`);
    this.#value = String(value);
  }

  removeItem(key) {
    if (key !== KEY) throw new Error(`unexpected storage key ${key}`);
    this.#value = null;
  }

  /** Another process or tab writes (`null`: removes). */
  write(value) {
    this.#value = value;
  }

  peek() {
    return this.#value;
  }
}

/** The error code of a rejection: an AuthcoreError's code, `http_<status>`, or a thrown `code`. */
function errorCode(authcore, error) {
  if (error instanceof authcore.AuthcoreError) return error.code;
  if (typeof error?.status === 'number') return `http_${error.status}`;
  if (typeof error?.code === 'string') return error.code;
  return `unexpected ${error && error.name}: ${error && error.message}`;
}

/** What the refresh call throws for a `fail` code: an HTTP status as `status`, else a `code`. */
function refreshError(code) {
  const status = /^http_([0-9]{3})$/.exec(code);
  return status
    ? Object.assign(new Error(`HTTP ${status[1]}`), { status: Number(status[1]) })
    : Object.assign(new Error(code), { code });
}

/** Runs `fn` with Date.now() at `now` seconds (when given). */
async function at(now, fn) {
  if (now === undefined) return fn();
  const real = Date.now;
  Date.now = () => now * 1000;
  try {
    return await fn();
  } finally {
    Date.now = real;
  }
}

/** The tag an exact integer beyond Number.MAX_SAFE_INTEGER gets, on both sides of a comparison. */
const exact = (digits) => `bigint:${digits}`;

/**
 * sessions.json parsed with every integer beyond Number.MAX_SAFE_INTEGER kept exact (as
 * `bigint:<digits>`, what `userView` makes of a BigInt id) instead of rounded to a double.
 * @param {string} text
 */
export function parseSessions(text) {
  const lexeme = /"(?:[^"\\]|\\.)*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/g;
  const kept = text.replace(lexeme, (t) =>
    /^-?[0-9]+$/.test(t) && !Number.isSafeInteger(Number(t)) ? JSON.stringify(exact(t)) : t,
  );
  return JSON.parse(kept);
}

/** The user as compared: a BigInt id (beyond 2^53) tagged, so it equals only the exact expectation. */
const userView = (u) =>
  u === null
    ? null
    : { id: typeof u.id === 'bigint' ? exact(u.id) : u.id, username: u.username, email: u.email, roles: u.roles };

/** One step on session `s` over `storage`: the outcome `{ result, value }` and the bodies sent. */
async function runStep(authcore, s, storage, step) {
  const sent = [];
  const concurrent = (when) => {
    const c = step.concurrent;
    if (!c || c.at !== when) return;
    if ('write' in c) storage.write(c.write);
    else if (c.this_session === 'sign_out') s.signOut();
    else throw new Error(`concurrent: ${JSON.stringify(c)}`);
  };
  const refreshFn = async (body) => {
    sent.push(body);
    concurrent('during_refresh_call');
    const r = step.refresh;
    if (r === null) throw refreshError('unexpected_refresh');
    if (r.fail !== undefined) throw refreshError(r.fail);
    return r.response;
  };
  const ops = {
    signin: () => userView(s.saveSigninResponse(step.response)),
    user: () => userView(s.user),
    signed_in: () => s.isSignedIn,
    access_token: () => s.accessToken,
    stored: () => storage.peek(),
    headers: () => Object.entries(s.headers(STYLES[step.style])),
    has_role: () => s.hasRole(step.role),
    needs_refresh: () => s.needsRefresh(step.min_ttl),
    refresh_body: () => s.refreshRequestBody(),
    apply_refresh: () => {
      s.saveRefreshResponse(step.response);
      return null;
    },
    fresh_access_token: () => {
      if (step.concurrent?.at === 'before_leader_reads') storage.afterNextRead = () => concurrent('before_leader_reads');
      return s.freshAccessToken(refreshFn, step.min_ttl);
    },
    handle_unauthorized: () => {
      s.handleUnauthorized();
      return null;
    },
    sign_out: () => {
      s.signOut();
      return null;
    },
    write: () => {
      storage.write(step.stored);
      return null;
    },
  };
  const op = ops[step.op];
  if (!op) throw new Error(`unknown op ${step.op}`);
  let outcome;
  try {
    const value = await at(step.now, op);
    outcome = { result: 'ok', value: value === undefined ? null : value };
  } catch (error) {
    outcome = { result: errorCode(authcore, error) };
  }
  storage.afterNextRead = null;
  return { outcome, sent };
}

/**
 * Replays every scenario on a new AuthSession over an empty storage; the first step that
 * disagrees fails its scenario. Returns one result per scenario: { name, ok, detail, steps }
 * (`steps`: how many agreed).
 * @param {typeof import('../index.js')} authcore
 * @param {any} doc sessions.json as `parseSessions` reads it
 */
export async function runSessionScenarios(authcore, doc) {
  if (doc.schema !== 1) throw new Error(`sessions schema ${doc.schema}; this runner reads 1`);
  if (!Array.isArray(doc.scenarios) || doc.scenarios.length === 0) throw new Error('sessions.json has no scenarios');
  const results = [];
  for (const scenario of doc.scenarios) {
    const storage = new ScriptedStorage();
    const s = new authcore.AuthSession(storage);
    let detail = '';
    let passed = 0;
    for (const [i, step] of scenario.steps.entries()) {
      const want = step.result === 'ok' ? { result: 'ok', value: step.value } : { result: step.result };
      let got;
      try {
        got = await runStep(authcore, s, storage, step);
      } catch (error) {
        detail = `step ${i} (${step.op}): cannot run: ${error.message}`;
        break;
      }
      if (canonical(got.outcome) !== canonical(want)) {
        detail = `step ${i} (${step.op}): expected ${canonical(want)}, got ${canonical(got.outcome)}`;
        break;
      }
      if (canonical(got.sent) !== canonical(step.sent ?? [])) {
        detail = `step ${i} (${step.op}): refresh bodies sent ${canonical(got.sent)}, expected ${canonical(step.sent ?? [])}`;
        break;
      }
      passed += 1;
    }
    s.free();
    results.push({ name: scenario.name, ok: detail === '', detail, steps: passed });
  }
  return results;
}
