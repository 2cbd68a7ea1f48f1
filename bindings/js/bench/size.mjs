// Download size, measured one way for everyone: the files a browser fetches, concatenated
// (unminified, as published), through `gzip -9 -c | wc -c`.
//   authcore:   the .wasm after wasm-opt -Oz, and the JS it loads (entry, session, errors,
//               storage, wasm-bindgen glue).
//   jose:       the ESM files reached from the entry points this comparison needs (jwtVerify,
//               createLocalJWKSet, importJWK, decodeJwt), following relative imports.
//   jwt-decode: its ESM build (one file).
// Run: node bench/size.mjs (after build.sh and npm ci).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(here, '..');

function gzipSize(buffer) {
  return Number(execFileSync('sh', ['-c', 'gzip -9 -c | wc -c'], { input: buffer }).toString().trim());
}

/** Every file reached from `entries` through relative ESM imports and re-exports. */
function closure(entries) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...text.matchAll(/(?:import|export)\s[^;]*?from\s*["'](\.[^"']+)["']/g),
      ...text.matchAll(/import\s*["'](\.[^"']+)["']/g),
      ...text.matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g),
    ].map((m) => m[1]);
    for (const s of specifiers) visit(path.resolve(path.dirname(file), s));
  };
  entries.forEach(visit);
  return [...seen];
}

const concat = (files) => Buffer.concat(files.map((f) => readFileSync(f)));
const rel = (...p) => path.join(pkg, ...p);

export function measureSizes() {
  const wasm = readFileSync(rel('wasm/authcore_wasm_bg.wasm'));
  const glueFiles = ['browser.js', 'session.js', 'errors.js', 'storage.js', 'wasm/authcore_wasm.js'].map((f) => rel(f));
  const jose = rel('node_modules/jose/dist/webapi');
  const joseFiles = closure(['jwt/verify.js', 'jwks/local.js', 'key/import.js', 'util/decode_jwt.js'].map((f) => path.join(jose, f)));
  const joseAll = closure([path.join(jose, 'index.js')]);
  const jwtDecode = rel('node_modules/jwt-decode/build/esm/index.js');
  const version = (name) => JSON.parse(readFileSync(rel('node_modules', name, 'package.json'), 'utf8')).version;
  const rows = [
    { what: 'authcore .wasm (wasm-opt -Oz)', raw: wasm.length, gz: gzipSize(wasm) },
    { what: `authcore JS (${glueFiles.length} files)`, raw: concat(glueFiles).length, gz: gzipSize(concat(glueFiles)) },
  ];
  rows.push({ what: '**authcore total**', raw: rows[0].raw + rows[1].raw, gz: rows[0].gz + rows[1].gz });
  rows.push({ what: `jose ${version('jose')}: jwtVerify + createLocalJWKSet + importJWK + decodeJwt (${joseFiles.length} files)`, raw: concat(joseFiles).length, gz: gzipSize(concat(joseFiles)) });
  rows.push({ what: `jose ${version('jose')}: whole package (${joseAll.length} files)`, raw: concat(joseAll).length, gz: gzipSize(concat(joseAll)) });
  rows.push({ what: `jwt-decode ${version('jwt-decode')} (1 file, decode only)`, raw: readFileSync(jwtDecode).length, gz: gzipSize(readFileSync(jwtDecode)) });
  return rows;
}

export function sizeTable(rows) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    '| what | raw | gzip -9 |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.what} | ${kb(r.raw)} | ${kb(r.gz)} (${r.gz} B) |`),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(sizeTable(measureSizes()));
}
