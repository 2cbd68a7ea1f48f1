// The package's AuthSession: the wasm class plus the one async operation, `freshAccessToken`.
// Only the promise plumbing and the cross-tab lock live here; whether to refresh, who refreshes
// (the single flight), whether another tab already did, and what a response means are decided by
// the Rust core's SessionMachine (`beginRefresh`, `refreshBody`, `landRefresh`, `endRefresh`).
import { AuthSession as WasmAuthSession } from './wasm/authcore_wasm.js';
import { AuthcoreError } from './errors.js';

/** How long a tab that waited for another tab's refresh waits for its write to arrive. */
const STORAGE_EVENT_WAIT_MS = 2000;

/** Resolves on the next `storage` event for `key` from another tab, or after `ms`. */
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

/**
 * Runs `fn` holding the origin-wide Web Lock `authcore-refresh:<key>`, so that tabs sharing
 * `localStorage` refresh one at a time. A tab that had to wait for the lock also waits for the
 * other tab's write to reach it (a `storage` event: localStorage is not synchronous across a
 * browser's processes) before `fn` re-reads the storage.
 */
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
  /** @type {Promise<string> | null} */
  #refreshing = null;
  /** Whether other tabs share this storage (`localStorage` with the Web Locks API). */
  #crossTab;
  #key;

  /**
   * @param {import('./wasm/authcore_wasm.js').StorageLike} storage
   * @param {import('./wasm/authcore_wasm.js').AuthSessionOptions} [options]
   */
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

  // Single flight per object, and across tabs (Web Locks); documented in session.d.ts, which
  // browsers do not download.
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
        // Yield once so that `#refreshing` is set before refreshFn can run or fail.
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
