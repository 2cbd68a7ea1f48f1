// Renames the glue's side of a module whose import and export names wasm-opt minified
// (`--minify-imports-and-exports-and-modules`, which prints the old → new map): the import
// object's module and member names, every `wasm.<export>` access, and the export names in the
// declarations (`<name>.d.ts`'s InitOutput, `<name>_bg.wasm.d.ts`). Fails when a name is not found
// exactly where it is expected, or when the glue still reaches an export the module no longer has.
// Run by build.sh: node minify-names.mjs <map.json> <dir> <name>
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [mapFile, dir, name] = process.argv.slice(2);
const map = JSON.parse(readFileSync(mapFile, 'utf8'));
const file = (suffix) => path.join(dir, name + suffix);
const wasm = new WebAssembly.Module(readFileSync(file('_bg.wasm')));
const modules = new Set(WebAssembly.Module.imports(wasm).map((i) => i.module));
const exportsNow = new Set(WebAssembly.Module.exports(wasm).map((e) => e.name));

const fail = (what) => {
  console.error(`[minify-names] ${what}`);
  process.exit(1);
};
const escape = (s) => s.replace(/[$]/g, '\\$');
/** Replaces `pattern` (a RegExp source with the old name in it) by `to`, failing unless the
 * number of matches is one of `counts` (`[0, 1]`: the declarations leave out a few internal
 * exports; `null`: any number). */
const replace = (text, pattern, to, counts, what) => {
  const re = new RegExp(pattern, 'g');
  const found = (text.match(re) || []).length;
  if (counts !== null && !counts.includes(found)) {
    fail(`${what}: ${found} matches, expected one of ${counts}`);
  }
  return text.replace(re, to);
};

let glue = readFileSync(file('.js'), 'utf8');
if (modules.size !== 1) fail(`imports from ${modules.size} modules`);
const [module] = modules;
const oldModules = new Set(map.imports.map(([m]) => m));
if (oldModules.size !== 1) fail(`the map names ${oldModules.size} modules`);
const [oldModule] = oldModules;
glue = replace(glue, `"${oldModule.replace(/[.]/g, '\\.')}": import0`, `"${module}": import0`, [1], 'import module');
for (const [, from, to] of map.imports) {
  glue = replace(glue, `(?<=\\n {8})${escape(from)}(?=: function)`, to, [1], `import ${from}`);
}
let dts = readFileSync(file('.d.ts'), 'utf8');
let bgDts = readFileSync(file('_bg.wasm.d.ts'), 'utf8');
for (const [from, to] of map.exports) {
  if (!exportsNow.has(to)) fail(`export ${to} (${from}) is not in the module`);
  glue = replace(glue, `\\bwasm\\.${escape(from)}\\b`, `wasm.${to}`, null, `export ${from}`);
  dts = replace(dts, `(?<=readonly )${escape(from)}(?=:)`, to, [0, 1], `InitOutput.${from}`);
  bgDts = replace(bgDts, `(?<=export (?:const|function) )${escape(from)}(?=[:(])`, to, [0, 1], `${name}_bg.wasm.d.ts ${from}`);
}
for (const [, used] of glue.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)) {
  if (!exportsNow.has(used)) fail(`the glue still uses wasm.${used}`);
}
writeFileSync(file('.js'), glue);
writeFileSync(file('.d.ts'), dts);
writeFileSync(file('_bg.wasm.d.ts'), bgDts);
