// Test helpers: HS256 tokens minted with Node's crypto (the package itself never signs).
import { createHmac } from 'node:crypto';

export const SECRET = 'test-secret-of-at-least-32-bytes!!';

const b64u = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 token with these claims (and header fields). */
export function mint(claims, { secret = SECRET, header = {} } = {}) {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT', ...header })}.${b64u(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A signin response for user `id`, its access token expiring in `ttl` seconds (`refreshToken: null`: none). */
export function signinResponse({ id = 1, ttl = 3600, refreshToken = 'r1', roles = ['ROLE_USER', 'ROLE_MODERATOR'] } = {}) {
  const now = nowSeconds();
  const body = {
    id,
    username: `user${id}`,
    email: `user${id}@example.com`,
    roles,
    accessToken: mint({ id, iat: now, exp: now + ttl }),
  };
  if (refreshToken !== null) body.refreshToken = refreshToken;
  return body;
}

/** A refresh response with a fresh access token for `id`. */
export function refreshResponse({ id = 1, ttl = 3600, refreshToken = 'r2' } = {}) {
  const now = nowSeconds();
  const body = { accessToken: mint({ id, iat: now, exp: now + ttl, jti: `${Math.random()}` }) };
  if (refreshToken !== null) body.refreshToken = refreshToken;
  return body;
}

/** A promise with its resolve/reject exposed. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
