#!/usr/bin/env bash
# build.sh: makes bench/gpu-check/bundle/, everything run.sh needs on a machine without Java:
#
#   runtime.tar.xz   a jlink'd Java 17 runtime of the JDK modules the jars use (jdeps), debug
#                    symbols stripped, no man pages or headers; packed because the device tool
#                    carries the checkout (about 31 MiB) and the bundle within 64 MiB in all, and
#                    libjvm.so alone is 20 MiB unpacked
#   jars/            the check and the jars it runs on (mvn package, never install), less those
#                    it never loads (the OpenCL backend's LWJGL jars, natives for Linux x86-64)
#   lib/libOpenCL.so.1   the OpenCL ICD loader (Debian's ocl-icd-libopencl1)
#   icd/nvidia.icd   names the NVIDIA driver's OpenCL library for that loader (OCL_ICD_VENDORS)
#
#   bench/gpu-check/build.sh            (from anywhere; builds with mvn -B -o -q package)
#
# Environment: JAVA_HOME (a JDK 17 with jlink and jdeps; default /usr/lib/jvm/java-17-openjdk-amd64
# or the one on PATH), T4J_MVN_OPTS (Maven options instead of -o, e.g. "" when online).
set -euo pipefail

die() {
  echo "build.sh: $*" >&2
  exit 1
}

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd -- "$HERE/../.." && pwd -P)
BUNDLE="$HERE/bundle"

if [[ -z "${JAVA_HOME:-}" ]]; then
  if [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/jlink ]]; then
    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
  elif command -v jlink >/dev/null; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")
  else
    die "no JDK with jlink found: set JAVA_HOME to a JDK 17"
  fi
fi
for tool in jlink jdeps jar; do
  [[ -x "$JAVA_HOME/bin/$tool" ]] || die "$JAVA_HOME/bin/$tool is missing: JAVA_HOME must be a full JDK 17"
done
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
[[ "$feature" == 17 ]] || die "JAVA_HOME $JAVA_HOME is Java $feature; the bundle's runtime is Java 17"
command -v xz >/dev/null || die "xz is missing (apt-get install xz-utils)"
[[ "$(uname -m)" == x86_64 ]] || die "the device machines are x86-64; build the bundle on x86-64 (this is $(uname -m))"

echo "build.sh: mvn package (the check and the modules it uses)"
# shellcheck disable=SC2086 # T4J_MVN_OPTS is a list of options
(cd "$ROOT" && mvn -B ${T4J_MVN_OPTS--o} -q -Dstyle.color=never package -DskipTests -pl bench/gpu-check -am)
LIB="$HERE/target/lib"
CHECK_JAR=$(ls "$HERE"/target/gpu-check-*.jar | grep -v -- '-tests.jar' | head -1)
[[ -f "$CHECK_JAR" && -d "$LIB" ]] || die "mvn package left no $HERE/target/gpu-check-*.jar or target/lib"

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/jars" "$BUNDLE/lib" "$BUNDLE/icd"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Jars. Left out, because nothing the check runs loads them: error_prone_annotations (gson's
# compile-time annotations) and apiguardian (JUnit's @API, read by no one at run time). The OpenCL
# backend's LWJGL jars (core, opencl, linux natives: about 1.2 MB) go in whole.
cp "$CHECK_JAR" "$BUNDLE/jars/"
for j in "$LIB"/*.jar; do
  case "$(basename "$j")" in
    error_prone_annotations-*.jar | apiguardian-api-*.jar) ;;
    *) cp "$j" "$BUNDLE/jars/" ;;
  esac
done

# The JDK modules the jars use. jdeps reads all their classes as one unnamed module (given the
# modular jars as jars, it resolves their module graph, which their automatic-module names break).
# java.desktop is dropped: only training's loss plot uses it, and the check never draws one. jdk.incubator.vector and jdk.management are the cpu
# backend's (its module descriptor requires them; the former is added with --add-modules). jdk.jfr
# too: without it the JVM's DiagnosticCommand MBean lists one operation instead of 44, so the cpu
# backend cannot add its JIT directive (JitDirectives) and its kernels may run boxed, far slower.
mkdir -p "$TMP/classes"
for j in "$BUNDLE"/jars/*.jar; do
  (cd "$TMP/classes" && "$JAVA_HOME/bin/jar" xf "$j")
done
rm -rf "$TMP/classes/META-INF" "$TMP/classes/module-info.class" "$TMP/classes/linux"
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps "$TMP/classes" \
  2>"$TMP/jdeps.err") || die "jdeps failed: $(grep -v '^[[:space:]]*at ' "$TMP/jdeps.err" | head -3)"
modules=$(echo "$modules,jdk.incubator.vector,jdk.management,jdk.jfr" | tr ',' '\n' | grep -v '^java.desktop$' \
  | sort -u | paste -sd, -)
echo "build.sh: jlink $modules"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=0 --output "$TMP/runtime" 2>&1 | { grep -v 'Using incubator modules' || true; }
# Debian's JDK keeps the symbol tables; the dynamic symbols the JVM needs stay.
if command -v strip >/dev/null; then
  find "$TMP/runtime" -name '*.so' -exec strip --strip-unneeded {} +
else
  echo "build.sh: strip not found (binutils): the runtime keeps its symbol tables (larger)" >&2
fi
# Uncompressed modules then xz: smaller than jlink's own zip compression and then xz.
tar -C "$TMP" -cf - runtime | xz -6 -T0 > "$BUNDLE/runtime.tar.xz"

# The ICD loader, from the installed package or, failing that, downloaded with apt.
ocl=$(readlink -f /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 2>/dev/null || true)
if [[ ! -f "$ocl" ]]; then
  (cd "$TMP" && apt-get download ocl-icd-libopencl1 >/dev/null && dpkg -x ocl-icd-libopencl1_*.deb deb) \
    || die "no libOpenCL.so.1: apt-get install ocl-icd-libopencl1"
  ocl=$(readlink -f "$TMP"/deb/usr/lib/x86_64-linux-gnu/libOpenCL.so.1)
fi
cp "$ocl" "$BUNDLE/lib/libOpenCL.so.1"
# The loader dlopens the library named here; run.sh puts the driver's folder on LD_LIBRARY_PATH.
echo "libnvidia-opencl.so.1" > "$BUNDLE/icd/nvidia.icd"

{
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "runtime: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), modules $modules"
  echo "OpenCL ICD loader: $(dpkg-query -W -f='${Package} ${Version}' ocl-icd-libopencl1 2>/dev/null || echo "$ocl")"
  echo "jars:"
  (cd "$BUNDLE/jars" && ls -1)
} > "$BUNDLE/MANIFEST.txt"

echo "build.sh: bundle $BUNDLE"
(cd "$BUNDLE" && du -sb -- * | awk '{printf "  %6.2f MiB  %s\n", $1/1048576, $2}')
total=$(du -sb "$BUNDLE" | cut -f1)
tracked=$(cd "$ROOT" && git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
printf 'build.sh: bundle %.1f MiB; with the tracked files (%.1f MiB) the device tool would carry %.1f MiB of its 64\n' \
  "$(echo "$total/1048576" | bc -l)" "$(echo "$tracked/1048576" | bc -l)" "$(echo "($total+$tracked)/1048576" | bc -l)"
(( total <= 64 * 1048576 )) || die "the bundle is over 64 MiB"
