// Types of `authcore/inspect`: reading tokens without a key, on the inspect-only module.
export { inspectToken, isExpired, hasRole } from './wasm/authcore_inspect.js';
export type { Inspection } from './wasm/authcore_inspect.js';
export { AuthcoreError } from './errors.js';
export type { AuthcoreErrorCode } from './errors.js';
/** The whole package (`Verifier`, `AuthSession`, …), fetched on first call. */
export declare function loadVerifier(): Promise<typeof import('./index.js')>;
