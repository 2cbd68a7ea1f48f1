// Node entry: compiles the .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/authcore_wasm.js';

initSync({ module: readFileSync(new URL('./wasm/authcore_wasm_bg.wasm', import.meta.url)) });

export { isExpired, hasRole, Verifier } from './wasm/authcore_wasm.js';
// inspectToken from `authcore/inspect`'s module: the same answers (test/inspect.test.mjs), read
// without a JSON text (about twice as fast). Browsers, where every byte counts, keep this module's.
export { inspectToken } from './inspect-node.js';
export { AuthSession } from './session.js';
export { AuthcoreError } from './errors.js';
export { MemoryStorage } from './storage.js';
