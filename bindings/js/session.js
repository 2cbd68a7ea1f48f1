// The package's AuthSession: the wasm class plus the one async operation, `freshAccessToken`.
// Only the promise plumbing lives here; whether to refresh, the request body, and what the
// response means are decided in Rust (`refreshRequestBody`, `saveRefreshResponse`).
import { AuthSession as WasmAuthSession } from './wasm/authcore_wasm.js';
import { AuthcoreError } from './errors.js';

export class AuthSession extends WasmAuthSession {
  /** @type {Promise<string> | null} */
  #refreshing = null;

  /**
   * An access token with more than `minTtlSeconds` (default 60) left, refreshing first when
   * needed. Single flight: while a refresh runs, every call returns the same promise.
   *
   * @param {(body: string) => unknown} refreshFn
   * @param {number} [minTtlSeconds]
   * @returns {Promise<string>}
   */
  freshAccessToken(refreshFn, minTtlSeconds) {
    if (this.#refreshing) return this.#refreshing;
    let body;
    let userId;
    try {
      if (typeof refreshFn !== 'function') {
        throw new AuthcoreError('invalid_argument', 'refreshFn must be a function');
      }
      body = this.refreshRequestBody(minTtlSeconds);
      if (body === undefined || body === null) return Promise.resolve(this.accessToken);
      userId = this.user.id;
    } catch (error) {
      return Promise.reject(error);
    }
    const refreshing = (async () => {
      try {
        // Yield once so that `#refreshing` is set before refreshFn can run or fail.
        await null;
        const response = await refreshFn(body);
        return this.saveRefreshResponse(response, userId);
      } finally {
        this.#refreshing = null;
      }
    })();
    this.#refreshing = refreshing;
    return refreshing;
  }
}
