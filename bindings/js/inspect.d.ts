// Types of `authcore/inspect`: reading tokens without a key, on the inspect-only module (the
// signatures of the whole package's functions of the same names).
export { isExpired, hasRole } from './wasm/authcore_wasm.js';
import type { Inspection } from './wasm/authcore_wasm.js';
export type { Inspection };
/**
 * Decodes a token's header and claims **without verifying** its signature or times: for showing
 * who is signed in or deciding when to refresh, never for granting access.
 *
 * Throws `AuthcoreError` with code `token_too_large`, `malformed`, `unsupported_header` or
 * `invalid_claims`.
 * @param nowSeconds the time to judge `expired`/`secondsLeft` at; defaults to `Date.now()`
 */
export declare function inspectToken(token: string, nowSeconds?: number): Inspection;
export { AuthcoreError } from './errors.js';
export type { AuthcoreErrorCode } from './errors.js';
/** The whole package (`Verifier`, `AuthSession`, …), fetched on first call. */
export declare function loadVerifier(): Promise<typeof import('./index.js')>;
