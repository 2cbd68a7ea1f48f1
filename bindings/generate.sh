#!/usr/bin/env bash
# Generates the UniFFI bindings of authcore-ffi (Swift, Kotlin, Python) into their folders.
#
#   bindings/generate.sh                    all three languages
#   bindings/generate.sh kotlin python      only these
#   bindings/generate.sh --check            all three, then fail if the committed Swift/Kotlin differ
#
# Output is deterministic (no formatter runs: --no-format), so CI regenerates and checks that the
# committed sources are current. Swift's C header and modulemap go to bindings/swift/Headers, which
# build-xcframework.sh packs into the xcframework.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

check=false
languages=()
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    swift | kotlin | python) languages+=("$arg") ;;
    *) echo "usage: $0 [--check] [swift] [kotlin] [python]" >&2; exit 2 ;;
  esac
done
[ ${#languages[@]} -gt 0 ] || languages=(swift kotlin python)

case "$(uname -s)" in
  Darwin) lib_file=libauthcore_ffi.dylib ;;
  *) lib_file=libauthcore_ffi.so ;;
esac
target_dir=${CARGO_TARGET_DIR:-$root/target}
library="$target_dir/debug/$lib_file"

# Separate builds: together, cargo would unify uniffi's `cli` feature into the library.
cargo build --quiet -p authcore-ffi
cargo build --quiet -p uniffi-bindgen
bindgen="$target_dir/debug/uniffi-bindgen"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for language in "${languages[@]}"; do
  "$bindgen" generate --no-format --library "$library" --language "$language" \
    --out-dir "$out/$language" >/dev/null
  case "$language" in
    swift)
      # Two generated files, one Swift module: authcore-ffi's (Authcore.swift) and the records
      # authcore declares (AuthcoreCore.swift, see core/uniffi.toml).
      mkdir -p bindings/swift/Sources/Authcore bindings/swift/Headers
      cp "$out/swift/Authcore.swift" "$out/swift/AuthcoreCore.swift" bindings/swift/Sources/Authcore/
      cp "$out/swift/AuthcoreFFI.h" "$out/swift/AuthcoreCoreFFI.h" bindings/swift/Headers/
      # One C module for both headers (their UNIFFI_SHARED_H guard keeps RustBuffer & co. single).
      # An xcframework's Headers folder needs the modulemap under this exact name.
      sed 's|^\( *\)header "AuthcoreFFI.h"|\1header "AuthcoreCoreFFI.h"\n\1header "AuthcoreFFI.h"|' \
        "$out/swift/AuthcoreFFI.modulemap" >bindings/swift/Headers/module.modulemap
      ;;
    kotlin)
      # Package `authcore` (authcore-ffi) and `authcore.core` (the records authcore declares).
      mkdir -p bindings/kotlin/src/main/kotlin/authcore/core
      cp "$out/kotlin/authcore/authcore_ffi.kt" bindings/kotlin/src/main/kotlin/authcore/authcore_ffi.kt
      cp "$out/kotlin/authcore/core/authcore.kt" bindings/kotlin/src/main/kotlin/authcore/core/authcore.kt
      ;;
    python)
      # Not committed (see bindings/python/.gitignore): the tests regenerate them.
      cp "$out/python/authcore_ffi.py" "$out/python/authcore.py" bindings/python/
      cp "$library" bindings/python/
      ;;
  esac
  echo "generated $language"
done

if $check; then
  committed=(bindings/swift/Sources/Authcore/Authcore.swift
    bindings/swift/Sources/Authcore/AuthcoreCore.swift bindings/swift/Headers
    bindings/kotlin/src/main/kotlin/authcore/authcore_ffi.kt
    bindings/kotlin/src/main/kotlin/authcore/core/authcore.kt)
  if ! git diff --exit-code --stat -- "${committed[@]}" ||
    [ -n "$(git status --porcelain -- "${committed[@]}")" ]; then
    echo "generated bindings differ from the committed ones: run bindings/generate.sh and commit" >&2
    git status --short -- "${committed[@]}" >&2
    exit 1
  fi
  echo "generated bindings match the committed ones"
fi
