#!/usr/bin/env bash
# Builds AuthcoreFFI.xcframework (static libraries for iOS, the iOS simulator and macOS, with the
# generated header and module map) next to Package.swift. Needs macOS with Xcode and rustup; it
# cannot run on the Linux machines that generate and check the bindings.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
[ "$(uname -s)" = Darwin ] || { echo "build-xcframework.sh needs macOS and Xcode" >&2; exit 1; }

targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  cargo build --release -p authcore-ffi --target "$target"
done

bindings/generate.sh swift
target_dir=${CARGO_TARGET_DIR:-$root/target}
lib=libauthcore_ffi.a
fat="$target_dir/xcframework"
rm -rf "$fat" && mkdir -p "$fat/ios-sim" "$fat/macos"
lipo -create "$target_dir/aarch64-apple-ios-sim/release/$lib" "$target_dir/x86_64-apple-ios/release/$lib" \
  -output "$fat/ios-sim/$lib"
lipo -create "$target_dir/aarch64-apple-darwin/release/$lib" "$target_dir/x86_64-apple-darwin/release/$lib" \
  -output "$fat/macos/$lib"

out=bindings/swift/AuthcoreFFI.xcframework
rm -rf "$out"
xcodebuild -create-xcframework \
  -library "$target_dir/aarch64-apple-ios/release/$lib" -headers bindings/swift/Headers \
  -library "$fat/ios-sim/$lib" -headers bindings/swift/Headers \
  -library "$fat/macos/$lib" -headers bindings/swift/Headers \
  -output "$out"
echo "built $out"
