// Compiled with `tsc --noEmit` by types.test.mjs: the published types are real (no `any`): each
// `@ts-expect-error` below must be an error, or tsc fails with "unused directive".
import {
  AuthSession,
  AuthcoreError,
  MemoryStorage,
  Verifier,
  hasRole,
  inspectToken,
  isExpired,
  type AuthcoreErrorCode,
  type Inspection,
  type SessionUser,
  type VerifiedClaims,
  type VerifierKey,
  type VerifyOptions,
} from 'authcore';

const token = 'a.b.c';
const info: Inspection = inspectToken(token);
const alg: string = info.alg;
const userId: number | null = info.userId;
const left: number | null = info.secondsLeft;
// @ts-expect-error alg is a string, not a number
const wrong: number = info.alg;
// @ts-expect-error kid may be null
const kid: string = info.kid;
const expired: boolean = isExpired(token, 60) || hasRole(token, 'admin');

const keys: VerifierKey[] = [{ hs256Secret: 'x'.repeat(32), kid: 'hs-1' }, { jwks: { keys: [] } }];
const options: VerifyOptions = { leewaySeconds: 30, issuer: 'authd', audience: 'app', requireExp: true };
const verifier: Verifier = Verifier.fromKeys(keys, options);
// @ts-expect-error misspelt option
Verifier.fromJwks('{"keys":[]}', { audiance: 'app' });
// @ts-expect-error a VerifierKey is one of the two shapes
Verifier.fromKeys([{ secret: 'x' }]);
const claims: VerifiedClaims = verifier.verify(token);
const roles: string[] | null = claims.roles;
const aud: string[] | null = info.aud;
// @ts-expect-error exp may be null
const exp: number = claims.exp;

const session = new AuthSession(new MemoryStorage(), { storageKey: 'app.auth' });
const user: SessionUser | null = session.user;
const access: string | null = session.accessToken;
const headers: Record<string, string> = session.headers('bearer');
const body: string = session.refreshRequestBody();
const signedIn: boolean = session.isSignedIn;
// @ts-expect-error refreshRequestBody takes no minTtlSeconds (ask needsRefresh)
session.refreshRequestBody(60);
const id: number | bigint = user === null ? 0 : user.id;
// @ts-expect-error an id beyond Number.MAX_SAFE_INTEGER is a bigint
const idNumber: number = user === null ? 0 : user.id;
session.saveRefreshResponse('{}', 9007199254740993n);
// @ts-expect-error not a header style
session.headers('cookie');
const fresh: Promise<string> = session.freshAccessToken(async (body: string) => {
  const response = await fetch('/api/auth/refreshtoken', { method: 'POST', body });
  return response.text();
}, 30);
new AuthSession(localStorage);
// @ts-expect-error not a storage
new AuthSession({ getItem: () => null });

try {
  verifier.verify(token);
} catch (e) {
  if (e instanceof AuthcoreError) {
    const c: AuthcoreErrorCode = e.code;
    // @ts-expect-error not one of the codes
    const bad: AuthcoreErrorCode = 'nope';
    console.log(c, bad);
  }
}

console.log(alg, userId, left, wrong, kid, expired, roles, aud, exp, user, access, headers, fresh, body, id, idNumber, signedIn);

// `authcore/inspect`: the same Inspection, and the whole package on demand.
import * as inspectOnly from 'authcore/inspect';
const light: Inspection = inspectOnly.inspectToken(token);
const lightExpired: boolean = inspectOnly.isExpired(token, 30);
// @ts-expect-error the inspect entry has no Verifier
inspectOnly.Verifier;
void (async () => {
  const full = await inspectOnly.loadVerifier();
  const v: Verifier = full.Verifier.fromLegacyHs256Secret('your-secret-key');
  void v;
})();
void light;
void lightExpired;
