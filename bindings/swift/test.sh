#!/usr/bin/env bash
# What can be checked of the Swift bindings without a Swift compiler (none exists for these Linux
# machines): regenerate them, compile the C header with gcc, and check that the hand-written Swift
# still names what the generated code declares. The Swift itself is compiled only on macOS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
command -v gcc >/dev/null || apt-get -o DPkg::Lock::Timeout=600 install -y -q gcc >/dev/null
bindings/generate.sh swift

passed=0 failed=0
check() {
  local name=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
generated=bindings/swift/Sources/Authcore/Authcore.swift
# Included from a translation unit, as clang does, so `#pragma once` is not in the main file.
# Both headers together, as the one C module AuthcoreFFI includes them.
header_compiles() {
  printf '#include "AuthcoreCoreFFI.h"\n#include "AuthcoreFFI.h"\n' |
    gcc -fsyntax-only -Wall -Werror -D_Nonnull= -D_Nullable= -I bindings/swift/Headers -x c -
}
check "C headers compile" header_compiles
check "module map names the header" grep -q 'header "AuthcoreFFI.h"' bindings/swift/Headers/module.modulemap
check "module map names the core header" grep -q 'header "AuthcoreCoreFFI.h"' bindings/swift/Headers/module.modulemap
core_generated=bindings/swift/Sources/Authcore/AuthcoreCore.swift
check "core records import the one C module" grep -q 'import AuthcoreFFI' "$core_generated"
for declaration in 'public struct Inspection' 'public struct VerifiedClaims' 'public struct VerifyOptions' \
  'public var secondsLeft: Int64?' 'leewaySeconds: UInt64 = UInt64(60)'; do
  check "generated core Swift declares '$declaration'" grep -qF "$declaration" "$core_generated"
done
check "generated Swift imports AuthcoreFFI" grep -q 'import AuthcoreFFI' "$generated"
for declaration in 'public protocol TokenStore' 'public protocol Refresher' 'open class AuthSession' \
  'public protocol AsyncRefresher' 'func refresh(body: String) async throws' \
  'func freshAccessTokenAsync(refresher: AsyncRefresher, minTtlSeconds: Int64) async throws' \
  'case Store(' 'case Callback(' 'func get(key: String) throws  -> String?' \
  'func set(key: String, value: String) throws' 'func remove(key: String) throws' \
  'public protocol SessionClock' 'func nowSeconds()  -> Int64' \
  'public static func withClock(store: TokenStore, clock: SessionClock) -> AuthSession'; do
  check "generated Swift declares '$declaration'" grep -qF "$declaration" "$generated"
done
echo "swift: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
