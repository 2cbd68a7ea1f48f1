// Browser (and bundler) entry: fetches and instantiates the .wasm next to the glue, once, at import.
import init from './wasm/authcore_wasm.js';

await init({ module_or_path: new URL('./wasm/authcore_wasm_bg.wasm', import.meta.url) });

export { inspectToken, isExpired, hasRole, Verifier } from './wasm/authcore_wasm.js';
export { AuthSession } from './session.js';
export { AuthcoreError } from './errors.js';
export { MemoryStorage } from './storage.js';
