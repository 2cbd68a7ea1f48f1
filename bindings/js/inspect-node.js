// `authcore/inspect`, Node entry: compiles the inspect-only .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync, inspectInput, inspectInputRecord, inspectLast, isExpired } from './wasm/authcore_inspect.js';
// inspectToken (inspect-reader.js, without comments: browsers download it): the Inspection the
// module writes as a record (wasm/src/inspect.rs, write_record) read into the object JSON.parse
// gave for its JSON text, field for field. A string token that fits (with a number or no clock)
// is encoded straight into the module's input buffer; any other argument goes through
// isExpired(token, 0, nowSeconds), which converts it as wasm-bindgen always did, checks it in the
// same order and leaves the record behind. A length of u32::MAX is null; real ones are at most
// 8192 (MAX_TOKEN_BYTES).
import { inspector } from './inspect-reader.js';

const wasm = initSync({ module: readFileSync(new URL('./wasm/authcore_inspect_bg.wasm', import.meta.url)) });

export const inspectToken = inspector(wasm, inspectInputRecord, inspectInput(), isExpired, inspectLast);
export { isExpired, hasRole } from './wasm/authcore_inspect.js';
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), loaded on first call. */
export const loadVerifier = () => import('./node.js');
