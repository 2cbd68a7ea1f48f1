// `authcore/inspect`, Node entry: compiles the inspect-only .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
// inspect-reader.js wraps the module's plain exports
// (wasm/src/inspect_abi.rs): a string argument is encoded into the module's input buffer (as
// wasm-bindgen passes a string), numbers are passed as wasm-bindgen passes an optional f64, and
// the answer is read back from its output buffer: inspectToken's Inspection as a record, field for
// field into the object JSON.parse gave for its JSON text (a length of u32::MAX is null), or the
// error's code and message, thrown as AuthcoreError. A non-string token or role is
// `invalid_argument`.
import { inspectApi } from './inspect-reader.js';

const module = new WebAssembly.Module(readFileSync(new URL('./wasm/authcore_inspect.wasm', import.meta.url)));

export const { inspectToken, isExpired, hasRole } = inspectApi(new WebAssembly.Instance(module).exports);
export { AuthcoreError } from './errors.js';

/** The whole package (`Verifier`, `AuthSession`, …), loaded on first call. */
export const loadVerifier = () => import('./node.js');
