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
      mkdir -p bindings/swift/Sources/Authcore bindings/swift/Headers
      cp "$out/swift/Authcore.swift" bindings/swift/Sources/Authcore/Authcore.swift
      cp "$out/swift/AuthcoreFFI.h" bindings/swift/Headers/AuthcoreFFI.h
      # An xcframework's Headers folder needs the modulemap under this exact name.
      cp "$out/swift/AuthcoreFFI.modulemap" bindings/swift/Headers/module.modulemap
      ;;
    kotlin)
      mkdir -p bindings/kotlin/src/main/kotlin/authcore
      cp "$out/kotlin/authcore/authcore_ffi.kt" bindings/kotlin/src/main/kotlin/authcore/authcore_ffi.kt
      ;;
    python)
      # Not committed (see bindings/python/.gitignore): the tests regenerate it.
      cp "$out/python/authcore_ffi.py" bindings/python/authcore_ffi.py
      cp "$library" bindings/python/
      ;;
  esac
  echo "generated $language"
done

if $check; then
  committed=(bindings/swift/Sources/Authcore/Authcore.swift bindings/swift/Headers
    bindings/kotlin/src/main/kotlin/authcore/authcore_ffi.kt)
  if ! git diff --exit-code --stat -- "${committed[@]}" ||
    [ -n "$(git status --porcelain -- "${committed[@]}")" ]; then
    echo "generated bindings differ from the committed ones: run bindings/generate.sh and commit" >&2
    git status --short -- "${committed[@]}" >&2
    exit 1
  fi
  echo "generated bindings match the committed ones"
fi
