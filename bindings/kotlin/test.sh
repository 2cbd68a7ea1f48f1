#!/usr/bin/env bash
# Builds the cdylib, regenerates the Kotlin bindings, compiles them with the real kotlinc together
# with SharedPreferencesTokenStore and the tests, and runs the tests on the JVM through JNA.
# Installs what is missing (kotlinc from npm into target/tools, JNA and org.json from Debian) and
# skips what is present. Prints `kotlin: N passed, M failed`; exits non-zero on any failure.
set -euo pipefail

KOTLIN_VERSION=2.4.20
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
tools="$target_dir/tools"
kc="$tools/kotlin-compiler-$KOTLIN_VERSION"
jna=/usr/share/java/jna.jar
json=/usr/share/java/com.android.json.jar # org.json as Android ships it

if [ ! -x "$kc/bin/kotlinc" ]; then
  echo "installing kotlin-compiler@$KOTLIN_VERSION into $kc"
  mkdir -p "$tools"
  scratch=$(mktemp -d "$tools/kotlinc.XXXXXX")
  (cd "$scratch" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null &&
    tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz")
  rm -rf "$kc"
  mv "$scratch/package" "$kc"
  rm -rf "$scratch"
fi

if [ ! -f "$jna" ] || [ ! -f "$json" ]; then
  echo "installing libjna-java and libandroid-json-java"
  export DEBIAN_FRONTEND=noninteractive
  apt_get() { apt-get -o DPkg::Lock::Timeout=600 -y -q "$@"; }
  apt_get install libjna-java libandroid-json-java >/dev/null ||
    { apt_get update >/dev/null && apt_get install libjna-java libandroid-json-java >/dev/null; }
fi
command -v java >/dev/null || { echo "java is missing (Java 17 is expected on the machine)" >&2; exit 1; }

bindings/generate.sh kotlin

coroutines="$kc/lib/kotlinx-coroutines-core-jvm.jar"
build="$target_dir/kotlin-tests"
mkdir -p "$build"
mapfile -t sources < <(find bindings/kotlin/src/main/kotlin bindings/kotlin/src/test/kotlin -name '*.kt' | sort)
echo "compiling ${#sources[@]} Kotlin files"
"$kc/bin/kotlinc" -nowarn -cp "$jna:$json:$coroutines" "${sources[@]}" -d "$build/tests.jar"

java -cp "$build/tests.jar:$jna:$json:$coroutines:$kc/lib/kotlin-stdlib.jar" \
  -Djna.library.path="$target_dir/debug" \
  authcore.MainKt "$root/tests/vectors/vectors.json"
