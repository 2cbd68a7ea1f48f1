// Node entry: compiles the .wasm from disk synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/authcore_wasm.js';

initSync({ module: readFileSync(new URL('./wasm/authcore_wasm_bg.wasm', import.meta.url)) });

export { inspectToken, isExpired, hasRole, Verifier } from './wasm/authcore_wasm.js';
export { AuthSession } from './session.js';
export { AuthcoreError } from './errors.js';
export { MemoryStorage } from './storage.js';
