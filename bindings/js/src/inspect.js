// `authcore/inspect`, browser (and bundler) entry: only inspectToken, isExpired and hasRole, on a
// small module of their own. Fetched and instantiated once, at import.
import { inspectApi } from './inspect-reader.js';

const url = new URL('./wasm/authcore_inspect.wasm', import.meta.url);
const response = await fetch(url);
if (!response.ok) throw new Error(`authcore/inspect: fetching ${url} gave HTTP ${response.status}`);
const { instance } = await WebAssembly.instantiate(await response.arrayBuffer());

export const { inspectToken, isExpired, hasRole } = inspectApi(instance.exports);
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), fetched on first call. */
export const loadVerifier = () => import('./browser.js');
