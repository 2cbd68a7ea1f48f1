// `authcore/inspect`, Node entry: compiles the inspect-only .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/authcore_inspect.js';

initSync({ module: readFileSync(new URL('./wasm/authcore_inspect_bg.wasm', import.meta.url)) });

export { inspectToken, isExpired, hasRole } from './wasm/authcore_inspect.js';
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), loaded on first call. */
export const loadVerifier = () => import('./node.js');
