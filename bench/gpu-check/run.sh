#!/usr/bin/env bash
# run.sh: the GPU check, from the bundle build.sh made (no Java, Maven or internet needed).
#
#   bench/gpu-check/run.sh [--quick] [OUT_DIR]      (OUT_DIR defaults to $OUT, else ./gpu-check-out)
#
# 1. Probes OpenCL through the aparapi backend. The ICD loader is the bundle's; it reads the ICD
#    files in $OCL_ICD_VENDORS: the bundle's nvidia.icd when the NVIDIA driver's OpenCL library is
#    found (the first device is then the first NVIDIA GPU); without that library, the system's
#    ICDs with --quick (PoCL on a developer's machine) and none otherwise. A caller's own
#    OCL_ICD_VENDORS wins. No device: a report saying so, what was searched, and exit 0.
# 2. PyTorch's CUDA SGEMM, TF32 off (sgemm_torch.py), when python3 imports torch.
# 3. GpuCheck: the conformance suite, a GPT-2-small-shaped forward and training step (compared with
#    the cpu backend), SGEMM at 1024-8192 beside PyTorch's; --quick uses small sizes.
#
# Writes into OUT_DIR: report.md, results.json, environment.txt, torch_sgemm.json, check.log (and
# opencl-probe.log when no device was found). Exit status: GpuCheck's (0 all correct or no device,
# 1 a check failed), 2 when the bundle is missing or the arguments are wrong.
# Environment: T4J_JAVA_OPTS (JVM options added last, e.g. -Xmx64g), TMPDIR (where the runtime is
# unpacked), T4J_NVIDIA_OPENCL (the path of libnvidia-opencl.so.1 when the search below misses it).
set -uo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
B="$HERE/bundle"
quick=
out=
for a in "$@"; do
  case "$a" in
    --quick) quick=--quick ;;
    -h | --help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$a' (expected --quick and an output folder)" >&2; exit 2 ;;
    *) [[ -z "$out" ]] || { echo "run.sh: one output folder, got '$out' and '$a'" >&2; exit 2; }; out=$a ;;
  esac
done
out=${out:-${OUT:-$PWD/gpu-check-out}}
for f in runtime.tar.xz jars lib/libOpenCL.so.1 icd/nvidia.icd; do
  [[ -e "$B/$f" ]] || { echo "run.sh: $B/$f is missing: run bench/gpu-check/build.sh first (on a machine with a JDK 17)" >&2; exit 2; }
done
mkdir -p "$out" || { echo "run.sh: cannot create the output folder '$out'" >&2; exit 2; }
out=$(cd "$out" && pwd -P)
notes="$out/environment.txt"
note() { echo "$*" | tee -a "$notes"; }
: > "$notes"

note "run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm), $(nproc) cores"
note "bundle: $(head -1 "$B/MANIFEST.txt" 2>/dev/null)"
if command -v nvidia-smi >/dev/null; then
  note "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -2 | paste -sd';' -)"
else
  note "nvidia-smi: not found"
fi

# The Java runtime: unpacked once per bundle into TMPDIR.
stamp=$(cksum < "$B/runtime.tar.xz" | cut -d' ' -f1)
rt="${TMPDIR:-/tmp}/t4j-gpu-check-runtime-$stamp"
if [[ ! -x "$rt/runtime/bin/java" ]]; then
  rm -rf "$rt.part" && mkdir -p "$rt.part"
  if command -v xz >/dev/null; then
    xz -dc "$B/runtime.tar.xz" | tar -C "$rt.part" -xf -
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$B/runtime.tar.xz" "$rt.part"
  fi || { echo "run.sh: cannot unpack $B/runtime.tar.xz (neither xz nor python3 worked)" >&2; exit 2; }
  rm -rf "$rt" && mv "$rt.part" "$rt"
fi
JAVA="$rt/runtime/bin/java"

# The NVIDIA driver's OpenCL library: where the dynamic linker finds it, or where drivers are
# mounted in containers.
nv=
nvdir=
if [[ -n "${T4J_NVIDIA_OPENCL:-}" ]]; then
  [[ "$(basename "$T4J_NVIDIA_OPENCL")" == libnvidia-opencl.so.1 && -e "$T4J_NVIDIA_OPENCL" ]] || {
    echo "run.sh: T4J_NVIDIA_OPENCL must name an existing file called libnvidia-opencl.so.1 (the name the bundle's ICD file gives), got '$T4J_NVIDIA_OPENCL'" >&2
    exit 2
  }
  nv=$T4J_NVIDIA_OPENCL
  nvdir=$(cd "$(dirname "$nv")" && pwd -P)
elif ldconfig -p 2>/dev/null | grep -q 'libnvidia-opencl\.so\.1 '; then
  nv=$(ldconfig -p | sed -n 's/.*libnvidia-opencl\.so\.1 .*=> //p' | head -1)
else
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib \
    /usr/local/cuda/compat /usr/local/cuda/lib64 /run/nvidia/driver/usr/lib/x86_64-linux-gnu; do
    if [[ -e "$d/libnvidia-opencl.so.1" ]]; then nv="$d/libnvidia-opencl.so.1"; nvdir=$d; break; fi
  done
fi
if [[ -n "$nv" ]]; then
  note "NVIDIA OpenCL library: $nv"
else
  note "NVIDIA OpenCL library: libnvidia-opencl.so.1 not found (ldconfig, /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu, ...)"
  others=$(find /usr /lib /opt -maxdepth 5 -name 'libnvidia-*.so*' 2>/dev/null | head -5 | paste -sd' ' -)
  note "  other NVIDIA libraries seen: ${others:-none}"
  note "  NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES-<unset>} (containers get the OpenCL library with 'compute')"
fi

if [[ -n "${OCL_ICD_VENDORS:-}" ]]; then
  note "ICDs: the caller's OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
elif [[ -n "$nv" ]]; then
  export OCL_ICD_VENDORS="$B/icd"
  note "ICDs: the bundle's $B/icd (nvidia.icd only)"
elif [[ -n "$quick" ]]; then
  note "ICDs: the system's (/etc/OpenCL/vendors: $(ls /etc/OpenCL/vendors 2>/dev/null | paste -sd' ' -)), since --quick and no NVIDIA library"
else
  export OCL_ICD_VENDORS="$B/icd"
  note "ICDs: the bundle's $B/icd, whose library is absent: no device expected (--quick would use the system's ICDs)"
fi
export LD_LIBRARY_PATH="$B/lib${nvdir:+:$nvdir}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

heap=-Xmx32g
[[ -n "$quick" ]] && heap=-Xmx2g
# shellcheck disable=SC2206 # T4J_JAVA_OPTS is a list of options
jvm=(--add-modules jdk.incubator.vector -XX:+UseParallelGC "$heap" -Djava.io.tmpdir="${TMPDIR:-/tmp}"
  -cp "$B/jars/*" ${T4J_JAVA_OPTS:-})
main=io.github.transformers4j.gpucheck.GpuCheck

# 1. The probe, with the ICD loader's debug output kept for the report when it finds nothing.
note "java: $("$JAVA" -version 2>&1 | head -1)"
OCL_ICD_DEBUG=7 "$JAVA" "${jvm[@]}" $main --probe-only --out "$out" --notes "$notes" \
  > "$out/check.log" 2> "$out/opencl-probe.log"
rc=$?
cat "$out/check.log"
if [[ $rc == 3 ]]; then
  note "OpenCL probe: no device. The ICD loader and JVM said (opencl-probe.log, last lines):"
  said=$(grep -v 'Using incubator modules' "$out/opencl-probe.log" | tail -15 | sed 's/^/  /')
  note "${said:-  (nothing)}"
  if [[ -n "$nv" ]]; then
    # The library is there but gave no platform: a missing dependency (libcuda) shows here.
    note "ldd $nv:"
    ldd "$nv" 2>&1 | head -20 | sed 's/^/  /' | tee -a "$notes"
  fi
  "$JAVA" "${jvm[@]}" $main --probe-only --out "$out" --notes "$notes" > /dev/null 2>&1
  echo "run.sh: no OpenCL device; report in $out/report.md"
  exit 0
elif [[ $rc != 0 ]]; then
  echo "run.sh: the probe failed (exit $rc):" >&2
  tail -20 "$out/opencl-probe.log" >&2
  exit "$rc"
fi
rm -f "$out/opencl-probe.log"

# 2. PyTorch's figures (the script writes a 'skipped' file itself when torch or CUDA is missing).
sizes=1024,2048,4096,8192
[[ -n "$quick" ]] && sizes=64,128,256
if command -v python3 >/dev/null; then
  python3 "$HERE/sgemm_torch.py" --out "$out/torch_sgemm.json" --sizes "$sizes" 2>&1 | tee -a "$out/check.log"
else
  echo '{"skipped": "python3 not found"}' > "$out/torch_sgemm.json"
fi

# 3. The check.
"$JAVA" "${jvm[@]}" $main $quick --out "$out" --torch "$out/torch_sgemm.json" --notes "$notes" 2>&1 \
  | tee -a "$out/check.log"
rc=${PIPESTATUS[0]}
echo "run.sh: exit $rc; report in $out/report.md"
exit "$rc"
