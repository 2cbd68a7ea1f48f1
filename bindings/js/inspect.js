// `authcore/inspect`, browser (and bundler) entry: only inspectToken, isExpired and hasRole, on a
// module about half the size of the whole package's. Fetched and instantiated once, at import.
import init, { inspectInput, inspectInputRecord, inspectLast, isExpired } from './wasm/authcore_inspect.js';
import { inspector } from './inspect-reader.js';

const wasm = await init({ module_or_path: new URL('./wasm/authcore_inspect_bg.wasm', import.meta.url) });

export const inspectToken = inspector(wasm, inspectInputRecord, inspectInput(), isExpired, inspectLast);
export { isExpired, hasRole } from './wasm/authcore_inspect.js';
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), fetched on first call. */
export const loadVerifier = () => import('./browser.js');
