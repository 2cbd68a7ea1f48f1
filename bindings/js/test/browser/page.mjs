// Runs in Chromium: loads the package through its browser entry (fetching the .wasm), runs the
// conformance vectors, and drives AuthSession against a live authd on another origin (so every
// authd call is a real CORS request, preflights included). Results go to `window.__results`.
import * as authcore from '../../browser.js';
import { runTokenVectors } from '../vectors-runner.mjs';
import { parseSessions, runSessionScenarios } from '../sessions-runner.mjs';

const { AuthSession, AuthcoreError, MemoryStorage, Verifier, inspectToken } = authcore;
const params = new URLSearchParams(location.search);
const AUTHD = params.get('authd');
const SECRET = params.get('secret');
const results = [];
window.__results = results;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true, detail: '' });
  } catch (error) {
    results.push({ name, ok: false, detail: `${error && error.code ? `[${error.code}] ` : ''}${error && (error.stack || error)}` });
  }
}

async function authd(path, init = {}) {
  const response = await fetch(`${AUTHD}${path}`, init);
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

const postJson = (path, body) =>
  authd(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** An unsigned token expiring in `ttl` seconds: enough for the client-side refresh decisions. */
function unsignedToken(id, ttl) {
  const b64u = (o) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const now = Math.floor(Date.now() / 1000);
  return `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u({ id, iat: now, exp: now + ttl })}.c2ln`;
}

async function main() {
  const vectors = await (await fetch('/vectors.json')).json();
  for (const r of runTokenVectors(authcore, vectors)) results.push({ ...r, name: `vector: ${r.name}` });
  // The session scenarios, on a scripted storage (not localStorage: no Web Locks, one tab).
  const sessions = parseSessions(await (await fetch('/sessions.json')).text());
  try {
    for (const r of await runSessionScenarios(authcore, sessions)) {
      results.push({ name: `session scenario: ${r.name}`, ok: r.ok, detail: r.detail });
    }
  } catch (error) {
    results.push({ name: 'session scenarios', ok: false, detail: `${error && (error.stack || error)}` });
  }
  // authcore/inspect: its own (inspect-only) module, the same answers.
  const inspectOnly = await import('../../inspect.js');
  for (const r of runTokenVectors(inspectOnly, vectors, { inspectOnly: true })) {
    results.push({ ...r, name: `authcore/inspect vector: ${r.name}` });
  }
  await check('authcore/inspect shares the error class and loads the verifier on demand', async () => {
    assert(inspectOnly.AuthcoreError === authcore.AuthcoreError, 'two AuthcoreError classes');
    assert(!('Verifier' in inspectOnly), 'the inspect entry exports a Verifier');
    const full = await inspectOnly.loadVerifier();
    assert(full.Verifier === authcore.Verifier, 'loadVerifier gave another module');
  });

  await check('the browser has WebAssembly, localStorage and cross-origin fetch', () => {
    assert(typeof WebAssembly === 'object' && typeof localStorage === 'object', 'no wasm or storage');
    assert(new URL(AUTHD).origin !== location.origin, 'authd must be another origin (CORS)');
  });

  localStorage.clear();
  const session = new AuthSession(localStorage);
  const username = 'browser_user';
  const password = 'correct-horse-9';
  let signin;

  await check('signup on authd (cross-origin POST with JSON)', async () => {
    const r = await postJson('/api/auth/signup', { username, email: 'browser@example.com', password });
    assert(r.status === 200, `signup ${r.status} ${r.text}`);
  });

  await check('signin, then saveSigninResponse into localStorage', async () => {
    const r = await postJson('/api/auth/signin', { username, password });
    assert(r.status === 200, `signin ${r.status} ${r.text}`);
    signin = r.json();
    const user = session.saveSigninResponse(signin);
    assert(user.username === username && user.id === signin.id, `user ${JSON.stringify(user)}`);
    assert(session.isSignedIn && session.accessToken === signin.accessToken, 'session not stored');
    assert(localStorage.getItem('authcore.session'), 'nothing under authcore.session');
    assert(new AuthSession(localStorage).user.id === signin.id, 'a second session object does not see it');
    assert(session.hasRole('user') && session.hasRole('ROLE_USER') && !session.hasRole('admin'), 'roles');
  });

  await check('inspectToken reads the authd token; a shared-secret Verifier accepts it', () => {
    const info = inspectToken(session.accessToken);
    assert(info.alg === 'HS256' && info.userId === signin.id && !info.expired, JSON.stringify(info));
    assert(info.secondsLeft > 60, `secondsLeft ${info.secondsLeft}`);
    const claims = Verifier.fromHs256Secret(SECRET).verify(session.accessToken);
    assert(claims.id === signin.id, JSON.stringify(claims));
    try {
      Verifier.fromHs256Secret('x'.repeat(32)).verify(session.accessToken);
      throw new Error('a wrong secret verified');
    } catch (e) {
      assert(e instanceof AuthcoreError && e.code === 'invalid_signature', String(e));
    }
  });

  await check('protected route with session.headers() (x-access-token + Bearer, preflighted)', async () => {
    const r = await authd('/api/test/user', { headers: session.headers() });
    assert(r.status === 200 && r.text === 'User Content.', `${r.status} ${r.text}`);
  });

  await check('protected route with the Bearer header alone', async () => {
    const r = await authd('/api/test/user', { headers: session.headers('bearer') });
    assert(r.status === 200 && r.text === 'User Content.', `${r.status} ${r.text}`);
  });

  await check('protected route with the x-access-token header alone', async () => {
    const r = await authd('/api/test/user', { headers: session.headers('accessToken') });
    assert(r.status === 200 && r.text === 'User Content.', `${r.status} ${r.text}`);
  });

  await check('moderator route refuses a plain user (403)', async () => {
    const r = await authd('/api/test/mod', { headers: session.headers() });
    assert(r.status === 403, `${r.status} ${r.text}`);
  });

  await check('freshAccessToken returns the current token while it has time left', async () => {
    const token = await session.freshAccessToken(() => {
      throw new Error('refreshFn must not be called');
    });
    assert(token === signin.accessToken, 'another token');
  });

  await check('refresh against authd (single flight, real fetch)', async () => {
    // authd serves refresh tokens by default: a missing route or token is a failure, not a skip.
    const probe = await postJson('/api/auth/refreshtoken', { refreshToken: 'probe' });
    assert(probe.status !== 404, 'authd does not serve POST /api/auth/refreshtoken (404)');
    assert(signin.refreshToken, `authd answers /api/auth/refreshtoken (${probe.status}) but its signin gave no refreshToken`);
    let calls = 0;
    const refreshFn = async (body) => {
      calls += 1;
      const r = await authd('/api/auth/refreshtoken', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (r.status !== 200) throw new Error(`refresh ${r.status} ${r.text}`);
      return r.text;
    };
    // A minimum TTL above the token's lifetime forces a refresh now.
    const tokens = await Promise.all(Array.from({ length: 5 }, () => session.freshAccessToken(refreshFn, 10 ** 9)));
    assert(calls === 1, `refreshFn called ${calls} times`);
    assert(new Set(tokens).size === 1 && tokens[0] === session.accessToken, 'callers got different tokens');
    const r = await authd('/api/test/user', { headers: session.headers() });
    assert(r.status === 200, `refreshed token refused: ${r.status}`);
    return undefined;
  });

  await check('single flight in the browser: 20 concurrent callers, one refreshFn call', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse({ id: 5, username: 'u', email: 'u@example.com', roles: [], accessToken: unsignedToken(5, 10), refreshToken: 'r1' });
    let calls = 0;
    const next = unsignedToken(5, 3600);
    const refreshFn = async (body) => {
      calls += 1;
      assert(body === '{"refreshToken":"r1"}', body);
      await new Promise((r) => setTimeout(r, 20));
      return { accessToken: next, refreshToken: 'r2' };
    };
    const tokens = await Promise.all(Array.from({ length: 20 }, () => s.freshAccessToken(refreshFn)));
    assert(calls === 1, `refreshFn called ${calls} times`);
    assert(tokens.every((t) => t === next), 'not every caller got the new token');
  });

  await check('sessionStorage works as a store too', () => {
    sessionStorage.clear();
    const s = new AuthSession(sessionStorage, { storageKey: 'other.key' });
    s.saveSigninResponse(signin);
    assert(JSON.parse(sessionStorage.getItem('other.key')).accessToken === signin.accessToken, 'not stored');
    s.signOut();
    assert(sessionStorage.getItem('other.key') === null, 'not removed');
  });

  await check('signOut clears localStorage; the protected route then refuses (403)', async () => {
    session.signOut();
    assert(localStorage.getItem('authcore.session') === null, 'still stored');
    assert(!new AuthSession(localStorage).isSignedIn, 'still signed in');
    let signedOut = null;
    try {
      session.headers();
    } catch (error) {
      signedOut = error;
    }
    assert(signedOut instanceof AuthcoreError && signedOut.code === 'not_signed_in', `headers after signOut: ${signedOut}`);
    const r = await authd('/api/test/user');
    assert(r.status === 403, `${r.status} ${r.text}`);
  });
}

main()
  .catch((error) => results.push({ name: 'page', ok: false, detail: String(error && (error.stack || error)) }))
  .finally(() => {
    document.getElementById('log').textContent = results.map((r) => `${r.ok ? 'ok' : 'FAIL'} ${r.name} ${r.detail}`).join('\n');
    window.__done = true;
  });
