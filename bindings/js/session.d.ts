import { AuthSession as WasmAuthSession } from './wasm/authcore_wasm.js';
import type { RefreshFn } from './wasm/authcore_wasm.js';

/**
 * A signed-in session kept in a `StorageLike` (`localStorage`, `sessionStorage`, `MemoryStorage`).
 * Every read goes to the storage, so sessions sharing one storage (tabs of one origin) agree.
 */
export declare class AuthSession extends WasmAuthSession {
  /** Whether a session is stored (an unreadable stored value counts as signed out). */
  readonly isSignedIn: boolean;
  /**
   * An access token with more than `minTtlSeconds` (default 60) left, refreshing first when
   * needed: `refreshFn(body)` performs `POST /api/auth/refreshtoken` and resolves to its response
   * (text or parsed JSON).
   *
   * Single flight: while a refresh is running, every call returns the same promise, so N
   * concurrent callers cause one `refreshFn` call. Across tabs sharing `localStorage` (where the
   * browser has the Web Locks API) a refresh holds the lock `authcore-refresh:<storageKey>` and
   * re-reads the storage first; a tab that had to wait also waits (up to 2 s) for the other tab's
   * write to arrive. So a tab that waited adopts the session another tab refreshed: N tabs cause one
   * call. Rejects with `AuthcoreError` `not_signed_in`, `no_refresh_token`, `invalid_response`,
   * `session_changed` (signed out, or another user signed in, during the refresh: the response is
   * discarded), or with whatever `refreshFn` threw. A failed refresh leaves the stored session as it
   * was and the next call tries again, except when `refreshFn` threw an error whose `status` is 401
   * or 403 (or whose `code` is `http_401` or `http_403`): authd refused the refresh token (revoked,
   * account disabled), so the session is signed out and the next call rejects with `not_signed_in`.
   */
  freshAccessToken(refreshFn: RefreshFn, minTtlSeconds?: number): Promise<string>;
}
