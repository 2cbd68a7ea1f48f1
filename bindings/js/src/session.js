// AuthSession: the wasm class plus freshAccessToken's promises and cross-tab lock; every decision
// is the core's SessionMachine's. Documented in session.d.ts.
import { AuthSession as WasmAuthSession } from './wasm/authcore_wasm.js';
import { AuthcoreError } from './errors.js';

const STORAGE_EVENT_WAIT_MS = 2000;

// The next `storage` event for `key` from another tab, or `ms` later.
function storageChange(key, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      globalThis.removeEventListener('storage', onStorage);
      resolve();
    };
    const onStorage = (event) => {
      if (event.key === key || event.key === null) done();
    };
    const timer = setTimeout(done, ms);
    globalThis.addEventListener('storage', onStorage);
  });
}

// `fn` under the Web Lock `authcore-refresh:<key>`; a tab that waited for it also waits for the
// other tab's write to arrive (localStorage is not synchronous across processes).
async function exclusive(key, fn) {
  const locks = globalThis.navigator.locks;
  const name = `authcore-refresh:${key}`;
  const first = await locks.request(name, { ifAvailable: true }, async (lock) =>
    lock ? { value: await fn() } : null,
  );
  if (first) return first.value;
  const changed = storageChange(key, STORAGE_EVENT_WAIT_MS);
  return locks.request(name, async () => {
    await changed;
    return fn();
  });
}

// The refresh call's error as the core's code: `http_<status>`, or its own `code`.
const httpCode = (e) => (typeof e?.status === 'number' ? `http_${e.status}` : `${e?.code}`);

export class AuthSession extends WasmAuthSession {
  #refreshing = null;
  #crossTab;
  #key;

  constructor(storage, options) {
    super(storage, options);
    this.#key = options?.storageKey ?? 'authcore.session';
    this.#crossTab =
      typeof globalThis.localStorage === 'object' &&
      storage === globalThis.localStorage &&
      typeof globalThis.navigator?.locks?.request === 'function';
  }

  get isSignedIn() {
    return this.accessToken !== null;
  }

  // The wasm method takes forUserId as an i64: a bigint, which would wrap beyond 64 bits.
  saveRefreshResponse(response, forUserId) {
    let id = forUserId ?? undefined;
    if (Number.isInteger(id)) id = BigInt(id);
    if (id !== undefined && (typeof id !== 'bigint' || BigInt.asIntN(64, id) !== id)) {
      throw new AuthcoreError('invalid_argument', 'forUserId must be a whole number of 64 bits');
    }
    return super.saveRefreshResponse(response, id);
  }

  freshAccessToken(refreshFn, minTtlSeconds) {
    let step;
    try {
      if (typeof refreshFn !== 'function') {
        throw new AuthcoreError('invalid_argument', 'refreshFn must be a function');
      }
      step = this.beginRefresh(minTtlSeconds);
    } catch (error) {
      return Promise.reject(error);
    }
    if (step.token !== undefined) return Promise.resolve(step.token);
    if (step.join !== undefined) return this.#refreshing;
    const flight = step.lead;
    let failed;
    const refresh = async () => {
      const next = this.refreshBody(flight, minTtlSeconds);
      if (next.token !== undefined) return next.token;
      let response;
      try {
        response = await refreshFn(next.body);
      } catch (error) {
        failed = httpCode(error);
        throw error;
      }
      return this.landRefresh(flight, response);
    };
    const refreshing = (async () => {
      try {
        // `#refreshing` is set before refreshFn can run or fail.
        await null;
        return await (this.#crossTab ? exclusive(this.#key, refresh) : refresh());
      } finally {
        this.endRefresh(flight, failed);
        if (this.#refreshing === refreshing) this.#refreshing = null;
      }
    })();
    this.#refreshing = refreshing;
    return refreshing;
  }
}
