// One of two pages of one origin that share localStorage: the Node test signs in through one, then
// calls `window.refreshOnce` in both at the same time. Each counts its own calls to authd's refresh
// endpoint; across both, the Web Lock and the re-read must leave exactly one.
import { AuthSession, inspectToken } from '../../browser.js';

const AUTHD = new URLSearchParams(location.search).get('authd');
const post = (path, body) =>
  fetch(`${AUTHD}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

window.refreshCalls = 0;

/** Signs up and in as `username`, storing the session in localStorage. */
window.signIn = async (username, password) => {
  localStorage.clear();
  await post('/api/auth/signup', JSON.stringify({ username, email: `${username}@example.com`, password }));
  const r = await post('/api/auth/signin', JSON.stringify({ username, password }));
  if (r.status !== 200) throw new Error(`signin ${r.status}`);
  new AuthSession(localStorage).saveSigninResponse(await r.text());
};

/** freshAccessToken with a slow refresh call (so both tabs are surely in flight together). */
window.refreshOnce = async (minTtlSeconds) => {
  const session = new AuthSession(localStorage);
  return session.freshAccessToken(async (body) => {
    window.refreshCalls += 1;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const r = await post('/api/auth/refreshtoken', body);
    if (r.status !== 200) throw new Error(`refresh ${r.status} ${await r.text()}`);
    return r.text();
  }, minTtlSeconds);
};

/** Seconds left on the stored access token. */
window.secondsLeft = () => inspectToken(new AuthSession(localStorage).accessToken).secondsLeft;

/** Whether authd accepts the stored access token. */
window.accepted = async () => {
  const r = await fetch(`${AUTHD}/api/test/user`, { headers: new AuthSession(localStorage).headers() });
  return r.status;
};

window.hasWebLocks = typeof navigator.locks?.request === 'function';
window.__ready = true;
