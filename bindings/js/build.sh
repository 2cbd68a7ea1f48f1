#!/usr/bin/env bash
# Builds the npm package: its JS, minified from src/ into the package root (`--js-only`: only
# that), and its wasm engines into bindings/js/wasm/, each
#   cargo +nightly -Z build-std (wasm32, profiles release-wasm and release-wasm-inspect) →
#   wasm-bindgen → wasm-opt -Oz:
#   authcore_inspect.wasm (entry `authcore/inspect`: inspect only, plain exports, no glue) and
#   authcore_wasm (everything, with wasm-bindgen's glue).
# Installs what is missing (wasm32 target, wasm-bindgen-cli matching Cargo.lock, npm devDependencies
# for binaryen's wasm-opt) and
# skips what is present, so repeated runs stay fast. Prints the gzipped sizes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/wasm"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

log() { printf '[build] %s\n' "$*" >&2; }

# The modules are built by the nightly toolchain with the standard library rebuilt for them
# (-Z build-std) and panics aborting at once (-C panic=immediate-abort): no panic messages or
# locations are formatted or kept. A panic was already an abort (panic = "abort"; wasm32 has
# nowhere to print the message), so nothing observable changes; the .wasm is ~12 KB gz smaller.
# std's `optimize_for_size` feature picks its smaller variants (same results): ~1.3 KB gz more.
# -Z location-detail=none: no source file names, lines or columns are kept for `#[track_caller]`
# locations, which only a panic message would show (and panics abort without one).
toolchain=nightly
if ! rustup +"$toolchain" target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown ($toolchain)"
  rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
fi
if ! rustup +"$toolchain" component list --installed | grep -q '^rust-src'; then
  log "adding rust-src ($toolchain, for -Z build-std)"
  rustup component add rust-src --toolchain "$toolchain"
fi

# The CLI must match the crate exactly: read the version Cargo.lock resolved.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (have: ${have:-none}); takes ~7 min"
  # Without --locked: with it the install fails on a missing webpki-roots version.
  cargo install wasm-bindgen-cli --version "$want"
fi

# wasm-opt comes from the npm devDependency `binaryen` (132): Debian's binaryen 108 re-points the
# `__wbindgen_externrefs` table export at the funcref table, and the module then fails to start
# ("WebAssembly.Table.set(): Argument 1 is invalid for table").
wasm_opt="$here/node_modules/.bin/wasm-opt"
terser="$here/node_modules/.bin/terser"
if [ ! -x "$wasm_opt" ] || [ ! -x "$terser" ]; then
  log "npm ci (for binaryen's wasm-opt and terser)"
  (cd "$here" && npm ci --no-audit --no-fund)
fi

# The package's own JS: written, with its comments, in src/; shipped minified by terser into the
# package root, next to the .d.ts files, where package.json's entries point (~0.9 KB gz less for
# the whole package, ~0.4 KB for `authcore/inspect`). Class names are kept (AuthcoreError's name);
# exported names are the API and stay.
own_js() {
  log "terser src/*.js → package root"
  local f
  for f in "$here"/src/*.js; do
    "$terser" "$f" --module --compress --mangle --keep-classnames -o "$here/$(basename "$f")"
  done
}
own_js
if [ "${1:-}" = "--js-only" ]; then
  exit 0
fi

# After -Oz in both modules: -Oz again until nothing changes (--converge), then the functions in
# the order of their names (--reorder-functions-by-name, read from the name section before
# --strip-debug drops it), which puts a crate's and a type's functions side by side, where gzip
# finds their likenesses: -429 B gz on the whole module. The code is the same, in another order.
shrink="--converge --reorder-functions-by-name"

rm -rf "$out"
mkdir -p "$out"
# -C target-feature=-reference-types: wasm-bindgen then keeps the JS values the Rust code holds in
# a JS array instead of a table of externrefs, without the externref shim it wraps around each
# export that takes or returns one: -747 B gz on the whole package (same answers, tests below).
rustflags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Ctarget-feature=-reference-types"
# A target directory of its own: the std it builds and the nightly artifacts stay apart from the
# stable builds of the workspace.
std_target="$target_dir/wasm-build-std"

# cargo build of authcore-wasm in cargo profile <profile> with the given feature flags, for module
# <name>; sets "$wasm" to the .wasm it wrote.
cargo_wasm() {
  local name="$1" profile="$2"
  shift 2
  wasm="$std_target/wasm32-unknown-unknown/$profile/authcore_wasm.wasm"
  log "cargo build -p authcore-wasm $* (wasm32, $profile) → $name"
  # Built on its own so no other workspace member unifies features into authcore (bcrypt stays out).
  (cd "$root" && RUSTFLAGS="$rustflags" \
    cargo +"$toolchain" build -p authcore-wasm --target wasm32-unknown-unknown \
    --profile "$profile" -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size --target-dir "$std_target" "$@")
}

# One module: cargo with the given feature flags, wasm-bindgen into wasm/<name>.js and
# wasm/<name>_bg.wasm, wasm-opt -Oz, the glue renamed to match and minified.
module() {
  local name="$1"
  shift
  cargo_wasm "$name" release-wasm "$@"
  # --encode-into always: strings are passed with TextEncoder.encodeInto, which every supported
  # browser and Node has, without the glue testing for it; --omit-default-module-path: the entries
  # always tell init where the .wasm is (-63 B gz together).
  wasm-bindgen --target web --encode-into always --omit-default-module-path \
    --out-dir "$out" --out-name "$name" "$wasm"
  log "wasm-opt -Oz $name (binaryen $("$wasm_opt" --version | awk '{print $3}'); ~1 min)"
  # --strip-target-features: a custom section engines ignore (-119 B gz on the whole module).
  # The import and export names (wasm-bindgen's hashed `__wbg_*` imports, the exports its glue
  # calls) shortened to a letter or two, and the glue and declarations renamed to match by
  # minify-names.mjs (~1.8 KB gz on the whole package).
  # Two runs: --converge repeats every pass of its run, and the minifying one prints its map. The
  # second run's -Oz, on the reordered module, takes another 138 B gz off.
  "$wasm_opt" -Oz $shrink --strip-debug --strip-producers \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.opt.wasm"
  "$wasm_opt" -Oz --strip-target-features --minify-imports-and-exports-and-modules \
    "$out/${name}_bg.opt.wasm" -o "$out/${name}_bg.opt.wasm" >"$out/names.json"
  mv "$out/${name}_bg.opt.wasm" "$out/${name}_bg.wasm"
  node "$here/minify-names.mjs" "$out/names.json" "$out" "$name"
  rm "$out/names.json"
  # The generated glue, minified (terser: compressed, local names shortened, comments dropped but
  # the one pointing tsc at <name>.d.ts, which keeps the API docs): ~1 KB gz. The package's own
  # JS is minified the same way, from src/ (own_js above).
  log "terser $name.js"
  "$terser" "$out/$name.js" --module --compress --mangle --comments '/@ts-self-types/' -o "$out/$name.min.js"
  mv "$out/$name.min.js" "$out/$name.js"
  if ! head -c 40 "$out/$name.js" | grep -q '@ts-self-types='; then
    log "terser dropped the @ts-self-types comment of $name.js"
    exit 1
  fi
}

# `authcore/inspect`: inspectToken, isExpired, hasRole only (no Verifier, no AuthSession), with the
# core's small JSON reader instead of serde_json (feature `small-json`; same answers), through the
# plain exports of wasm/src/inspect_abi.rs, which inspect-reader.js calls: no wasm-bindgen glue.
# wasm-bindgen still runs: getrandom's `js` backend (compiled in, never called here) links js-sys,
# whose interface descriptions only its CLI removes. Without reference types (see `rustflags`) it
# needs no externref table, and the module imports nothing (checked below).
inspect_module() {
  local name=authcore_inspect
  # Profile release-wasm-inspect (opt-level "s", see Cargo.toml): ~1.2x faster for +39 B gz.
  cargo_wasm "$name" release-wasm-inspect --no-default-features --features small-json
  local tmp
  tmp="$(mktemp -d)"
  wasm-bindgen --target web --out-dir "$tmp" --out-name "$name" "$wasm"
  log "wasm-opt -Oz $name"
  "$wasm_opt" -Oz $shrink --strip-debug --strip-producers --strip-target-features "$tmp/${name}_bg.wasm" -o "$out/$name.wasm"
  rm -rf "$tmp"
  node - "$out/$name.wasm" <<'JS'
const m = new WebAssembly.Module(require('node:fs').readFileSync(process.argv[2]));
const exported = WebAssembly.Module.exports(m).map((e) => e.name);
const want = ['memory', 'inspect_input', 'inspect_slot', 'inspect_output', 'inspect_token', 'inspect_expired', 'inspect_role'];
const missing = want.filter((n) => !exported.includes(n));
if (WebAssembly.Module.imports(m).length || missing.length) {
  console.error(`[build] ${process.argv[2]}: imports ${JSON.stringify(WebAssembly.Module.imports(m))}, missing exports ${missing}`);
  process.exit(1);
}
JS
}
inspect_module
# `authcore`: everything.
module authcore_wasm

# Same measure as bench/size.mjs: gzip -9 from stdin (no file name in the header).
gz() { gzip -9 -c <"$1" | wc -c; }
wasm_gz="$(gz "$out/authcore_wasm_bg.wasm")"
glue_gz="$(cat "$here/browser.js" "$here/session.js" "$here/errors.js" "$here/storage.js" "$out/authcore_wasm.js" | gzip -9 -c | wc -c)"
log "size: .wasm $(wc -c <"$out/authcore_wasm_bg.wasm") B raw, $wasm_gz B gz; JS glue $glue_gz B gz; total $((wasm_gz + glue_gz)) B gz"
inspect_gz="$(gz "$out/authcore_inspect.wasm")"
inspect_js_gz="$(cat "$here/inspect.js" "$here/inspect-reader.js" "$here/errors.js" | gzip -9 -c | wc -c)"
log "size of authcore/inspect: .wasm $inspect_gz B gz; JS $inspect_js_gz B gz; total $((inspect_gz + inspect_js_gz)) B gz"
