// AuthSession over a storage object: stored state, headers, refresh decisions, and the
// single-flight freshAccessToken.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AuthSession, AuthcoreError, MemoryStorage } from 'authcore';
import { deferred, refreshResponse, signinResponse } from './helpers.mjs';

const code = (c) => (error) => error instanceof AuthcoreError && error.code === c;

describe('signed out', () => {
  test('a new session over empty storage is signed out everywhere', async () => {
    const s = new AuthSession(new MemoryStorage());
    assert.equal(s.isSignedIn, false);
    assert.equal(s.user, null);
    assert.equal(s.accessToken, null);
    assert.throws(() => s.headers(), code('not_signed_in'));
    assert.throws(() => s.headers('bearer'), code('not_signed_in'));
    assert.equal(s.needsRefresh(), false);
    assert.equal(s.hasRole('user'), false);
    assert.throws(() => s.refreshRequestBody(), code('not_signed_in'));
    assert.throws(() => s.saveRefreshResponse(refreshResponse()), code('not_signed_in'));
    await assert.rejects(s.freshAccessToken(() => assert.fail('no refresh when signed out')), code('not_signed_in'));
  });

  test('an unreadable stored value counts as signed out', () => {
    const storage = new MemoryStorage();
    storage.setItem('authcore.session', '{not json');
    const s = new AuthSession(storage);
    assert.equal(s.isSignedIn, false);
    assert.equal(s.user, null);
    assert.throws(() => s.headers(), code('not_signed_in'));
    assert.equal(s.needsRefresh(), false);
  });
});

describe('signin', () => {
  test('a signin response (object) is stored and read back by any session on that storage', () => {
    const storage = new MemoryStorage();
    const response = signinResponse({ id: 7 });
    const user = new AuthSession(storage).saveSigninResponse(response);
    assert.deepEqual(user, { id: 7, username: 'user7', email: 'user7@example.com', roles: ['ROLE_USER', 'ROLE_MODERATOR'] });
    assert.ok(storage.getItem('authcore.session'));
    const other = new AuthSession(storage);
    assert.equal(other.isSignedIn, true);
    assert.deepEqual(other.user, user);
    assert.equal(other.accessToken, response.accessToken);
  });

  test('a signin response given as JSON text works the same', () => {
    const s = new AuthSession(new MemoryStorage());
    const response = signinResponse();
    s.saveSigninResponse(JSON.stringify(response));
    assert.equal(s.accessToken, response.accessToken);
  });

  test('a custom storage key is used instead of authcore.session', () => {
    const storage = new MemoryStorage();
    new AuthSession(storage, { storageKey: 'app.auth' }).saveSigninResponse(signinResponse());
    assert.equal(storage.getItem('authcore.session'), null);
    assert.ok(storage.getItem('app.auth'));
  });

  test('a garbage signin response is invalid_response and leaves the session as it was', () => {
    const s = new AuthSession(new MemoryStorage());
    const first = signinResponse();
    s.saveSigninResponse(first);
    for (const bad of ['', '{}', '[]', { id: '1' }, { ...first, accessToken: '' }]) {
      assert.throws(() => s.saveSigninResponse(bad), code('invalid_response'), JSON.stringify(bad));
    }
    assert.throws(() => s.saveSigninResponse(42), code('invalid_argument'));
    assert.equal(s.accessToken, first.accessToken);
  });

  test('roles are matched by name or by authority', () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ roles: ['ROLE_USER', 'ROLE_MODERATOR'] }));
    assert.equal(s.hasRole('moderator'), true);
    assert.equal(s.hasRole('ROLE_USER'), true);
    assert.equal(s.hasRole('admin'), false);
  });

  test('signOut clears the storage', () => {
    const storage = new MemoryStorage();
    const s = new AuthSession(storage);
    s.saveSigninResponse(signinResponse());
    s.signOut();
    assert.equal(storage.length, 0);
    assert.equal(s.isSignedIn, false);
    assert.equal(s.accessToken, null);
  });
});

describe('headers', () => {
  test('both x-access-token and Authorization: Bearer by default, or one by style', () => {
    const s = new AuthSession(new MemoryStorage());
    const { accessToken } = signinResponse();
    s.saveSigninResponse({ ...signinResponse(), accessToken });
    assert.deepEqual(s.headers(), { 'x-access-token': accessToken, Authorization: `Bearer ${accessToken}` });
    assert.deepEqual(s.headers('accessToken'), { 'x-access-token': accessToken });
    assert.deepEqual(s.headers('bearer'), { Authorization: `Bearer ${accessToken}` });
    assert.throws(() => s.headers('Bearer'), code('invalid_argument'));
  });
});

describe('user ids', () => {
  const BIG = '9007199254740993'; // 2^53 + 1: no double holds it
  const signinText = (id) =>
    JSON.stringify(signinResponse({ id: 7 })).replace('"id":7', `"id":${id}`);

  test('an id within Number.MAX_SAFE_INTEGER is a number', () => {
    const s = new AuthSession(new MemoryStorage());
    assert.equal(s.saveSigninResponse(signinText(Number.MAX_SAFE_INTEGER)).id, Number.MAX_SAFE_INTEGER);
    assert.equal(s.user.id, Number.MAX_SAFE_INTEGER);
    assert.equal(s.saveRefreshResponse(refreshResponse(), Number.MAX_SAFE_INTEGER).length > 0, true);
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), 7), code('session_changed'));
  });

  test('an id beyond Number.MAX_SAFE_INTEGER is an exact bigint, and forUserId takes it', () => {
    const storage = new MemoryStorage();
    const s = new AuthSession(storage);
    assert.equal(s.saveSigninResponse(signinText(BIG)).id, BigInt(BIG));
    assert.equal(s.user.id, BigInt(BIG));
    assert.match(storage.getItem('authcore.session'), new RegExp(`"id":${BIG},`));
    // The nearest double is another user.
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), Number(BIG)), code('session_changed'));
    assert.ok(s.saveRefreshResponse(refreshResponse(), BigInt(BIG)));
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), 2n ** 63n), code('invalid_argument'));
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), 2n ** 64n + BigInt(BIG)), code('invalid_argument'));
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), 1.5), code('invalid_argument'));
    assert.throws(() => s.saveRefreshResponse(refreshResponse(), '7'), code('invalid_argument'));
    assert.equal(s.saveSigninResponse(signinText(`-${BIG}`)).id, -BigInt(BIG));
  });
});

describe('refresh decisions', () => {
  test('needsRefresh is true within minTtlSeconds of exp', () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 100 }));
    assert.equal(s.needsRefresh(), false);
    assert.equal(s.needsRefresh(200), true);
  });

  test('refreshRequestBody gives the body whatever the time left, as on every surface', () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 3600 }));
    assert.equal(s.needsRefresh(), false);
    assert.equal(s.refreshRequestBody(), '{"refreshToken":"r1"}');
  });

  test('an expired token needs a refresh; without a refresh token it is no_refresh_token', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: -10, refreshToken: null }));
    assert.equal(s.needsRefresh(), true);
    assert.throws(() => s.refreshRequestBody(), code('no_refresh_token'));
    await assert.rejects(s.freshAccessToken(() => assert.fail('not called')), code('no_refresh_token'));
  });

  test('saveRefreshResponse keeps the user and, when absent, the refresh token', () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 10 }));
    const user = s.user;
    const next = refreshResponse({ refreshToken: null });
    assert.equal(s.saveRefreshResponse(JSON.stringify(next)), next.accessToken);
    assert.deepEqual(s.user, user);
    assert.equal(s.refreshRequestBody(), '{"refreshToken":"r1"}');
    assert.throws(() => s.saveRefreshResponse({ accessToken: '' }), code('invalid_response'));
  });
});

describe('freshAccessToken (single flight)', () => {
  test('a token with time left is returned without calling refreshFn', async () => {
    const s = new AuthSession(new MemoryStorage());
    const r = signinResponse({ ttl: 3600 });
    s.saveSigninResponse(r);
    assert.equal(await s.freshAccessToken(() => assert.fail('not called')), r.accessToken);
  });

  test('N concurrent callers during one refresh cause exactly one refreshFn call', async () => {
    const storage = new MemoryStorage();
    const s = new AuthSession(storage);
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    const gate = deferred();
    const bodies = [];
    const refreshFn = async (body) => {
      bodies.push(body);
      await gate.promise;
      return next;
    };
    const next = refreshResponse();
    const N = 25;
    const calls = Array.from({ length: N }, () => s.freshAccessToken(refreshFn));
    // A second AuthSession object is a different flight, but calls on `s` all share one promise.
    assert.equal(new Set(calls).size, 1);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(bodies.length, 1);
    gate.resolve();
    const tokens = await Promise.all(calls);
    assert.deepEqual(new Set(tokens), new Set([next.accessToken]));
    assert.deepEqual(bodies, ['{"refreshToken":"r1"}']);
    assert.equal(s.accessToken, next.accessToken);
    assert.equal(s.refreshRequestBody(), '{"refreshToken":"r2"}', 'the rotated refresh token is stored');
    // Now fresh: no further call.
    assert.equal(await s.freshAccessToken(refreshFn), next.accessToken);
    assert.equal(bodies.length, 1);
  });

  test('a refresh response given as text is accepted', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    const next = refreshResponse();
    assert.equal(await s.freshAccessToken(async () => JSON.stringify(next)), next.accessToken);
  });

  test('a failed refresh rejects every waiter with the same error, keeps the session, and the next call retries', async () => {
    const s = new AuthSession(new MemoryStorage());
    const first = signinResponse({ ttl: 5 });
    s.saveSigninResponse(first);
    let count = 0;
    const boom = new Error('network down');
    const failing = async () => {
      count += 1;
      await null;
      throw boom;
    };
    const results = await Promise.allSettled([1, 2, 3].map(() => s.freshAccessToken(failing)));
    assert.equal(count, 1);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.equal(r.reason, boom);
    }
    assert.equal(s.accessToken, first.accessToken);
    const next = refreshResponse();
    assert.equal(await s.freshAccessToken(async () => next), next.accessToken);
  });

  for (const [name, thrown] of [
    ['status 401', Object.assign(new Error('refresh: 401'), { status: 401 })],
    ['status 403', Object.assign(new Error('refresh: 403'), { status: 403 })],
    ['code http_403', Object.assign(new Error('refresh: 403'), { code: 'http_403' })],
  ]) {
    test(`a refresh refused by authd (${name}) signs out; the next call is not_signed_in`, async () => {
      const storage = new MemoryStorage();
      const s = new AuthSession(storage);
      s.saveSigninResponse(signinResponse({ ttl: 5 }));
      let count = 0;
      const refusing = async () => {
        count += 1;
        await null;
        throw thrown;
      };
      const results = await Promise.allSettled([1, 2].map(() => s.freshAccessToken(refusing)));
      assert.equal(count, 1);
      for (const r of results) assert.equal(r.reason, thrown);
      assert.equal(s.isSignedIn, false);
      assert.equal(storage.length, 0);
      await assert.rejects(s.freshAccessToken(refusing), code('not_signed_in'));
      assert.equal(count, 1);
    });
  }

  test('a refresh failing with status 500 keeps the session', async () => {
    const s = new AuthSession(new MemoryStorage());
    const first = signinResponse({ ttl: 5 });
    s.saveSigninResponse(first);
    const failing = async () => {
      throw Object.assign(new Error('refresh: 500'), { status: 500 });
    };
    await assert.rejects(s.freshAccessToken(failing), /500/);
    assert.equal(s.accessToken, first.accessToken);
  });

  test('handleUnauthorized (authd answered 401) signs out; freshAccessToken is not_signed_in', async () => {
    const storage = new MemoryStorage();
    const s = new AuthSession(storage);
    s.saveSigninResponse(signinResponse({ ttl: 3600 }));
    s.handleUnauthorized();
    assert.equal(s.isSignedIn, false);
    assert.equal(storage.length, 0);
    await assert.rejects(s.freshAccessToken(() => assert.fail('no refresh when signed out')), code('not_signed_in'));
  });

  test('a refreshFn that throws synchronously rejects and does not wedge the flight', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    await assert.rejects(s.freshAccessToken(() => { throw new Error('sync'); }), /sync/);
    const next = refreshResponse();
    assert.equal(await s.freshAccessToken(() => next), next.accessToken);
  });

  test('an invalid refresh response is invalid_response', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    await assert.rejects(s.freshAccessToken(async () => ({ nope: true })), code('invalid_response'));
    await assert.rejects(s.freshAccessToken(async () => 'not json'), code('invalid_response'));
  });

  test('signing out during a refresh discards its response with session_changed', async () => {
    const storage = new MemoryStorage();
    const s = new AuthSession(storage);
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    const gate = deferred();
    const pending = s.freshAccessToken(async () => {
      await gate.promise;
      return refreshResponse();
    });
    s.signOut();
    gate.resolve();
    await assert.rejects(pending, code('session_changed'));
    assert.equal(storage.length, 0, 'the signed-out session is not resurrected');
  });

  test('another user signing in during a refresh keeps that user and rejects with session_changed', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ id: 1, ttl: 5 }));
    const gate = deferred();
    const pending = s.freshAccessToken(async () => {
      await gate.promise;
      return refreshResponse({ id: 1 });
    });
    const second = signinResponse({ id: 2 });
    s.saveSigninResponse(second);
    gate.resolve();
    await assert.rejects(pending, code('session_changed'));
    assert.equal(s.user.id, 2);
    assert.equal(s.accessToken, second.accessToken);
  });

  test('two sessions over one storage refresh once: the second re-reads and adopts the rotation', async () => {
    const storage = new MemoryStorage();
    const app = new AuthSession(storage);
    app.saveSigninResponse(signinResponse({ ttl: 5 }));
    const other = new AuthSession(storage);
    const stale = other.accessToken;
    let calls = 0;
    const next = refreshResponse();
    const refreshFn = async () => {
      calls += 1;
      return next;
    };
    assert.equal(await app.freshAccessToken(refreshFn), next.accessToken);
    assert.equal(await other.freshAccessToken(refreshFn), next.accessToken);
    assert.equal(calls, 1);
    assert.notEqual(stale, next.accessToken);
  });

  test('refreshFn must be a function', async () => {
    const s = new AuthSession(new MemoryStorage());
    s.saveSigninResponse(signinResponse({ ttl: 5 }));
    await assert.rejects(s.freshAccessToken('nope'), code('invalid_argument'));
  });
});

describe('storage objects', () => {
  test('a storage without the Web Storage methods is invalid_argument', () => {
    assert.throws(() => new AuthSession({}), code('invalid_argument'));
    assert.throws(() => new AuthSession({ getItem() {}, setItem() {} }), code('invalid_argument'));
    assert.throws(() => new AuthSession(new MemoryStorage(), { key: 'x' }), code('invalid_argument'));
    for (const bad of [{ storageKey: 5 }, [], '{"storageKey":"k"}']) {
      assert.throws(() => new AuthSession(new MemoryStorage(), bad), code('invalid_argument'), String(bad));
    }
    assert.equal(new AuthSession(new MemoryStorage(), { storageKey: null }).isSignedIn, false);
  });

  test('a storage error (a full quota) is rethrown as it is', () => {
    const quota = new Error('QuotaExceededError');
    const storage = new MemoryStorage();
    storage.setItem = () => {
      throw quota;
    };
    const s = new AuthSession(storage);
    assert.throws(() => s.saveSigninResponse(signinResponse()), (e) => e === quota);
    assert.equal(s.isSignedIn, false);
  });

  test('a change made through another session object (another tab) is seen at once', () => {
    const storage = new MemoryStorage();
    const a = new AuthSession(storage);
    const b = new AuthSession(storage);
    a.saveSigninResponse(signinResponse({ id: 1 }));
    assert.equal(b.user.id, 1);
    b.saveSigninResponse(signinResponse({ id: 2 }));
    assert.equal(a.user.id, 2);
    b.signOut();
    assert.equal(a.isSignedIn, false);
  });
});
