// `authcore/inspect`, browser (and bundler) entry: only inspectToken, isExpired and hasRole, on a
// module about half the size of the whole package's. Fetched and instantiated once, at import.
import init from './wasm/authcore_inspect.js';

await init({ module_or_path: new URL('./wasm/authcore_inspect_bg.wasm', import.meta.url) });

export { inspectToken, isExpired, hasRole } from './wasm/authcore_inspect.js';
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), fetched on first call. */
export const loadVerifier = () => import('./browser.js');
