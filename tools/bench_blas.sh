#!/usr/bin/env bash
# Compares the BLAS libraries this machine has on the fast paths' GEMM shapes (tools/bench_gemm.c):
# Debian's OpenBLAS (the core it picks, and each OPENBLAS_CORETYPE given in CORES), BLIS
# (libblis4-pthread, its own CPU detection), oneDNN's dnnl_sgemm (libdnnl2) and, if TORCH_PYTHON
# has torch, the MKL inside PyTorch's libtorch_cpu.so. Interleaved: every round runs each library
# once per thread count, and the table is the median over ROUNDS of each shape's median, so a
# shared machine's load hits them alike. Libraries that are not installed are left out (this
# script installs nothing: `apt-get install libblis4-pthread libdnnl2` to add them). Asserts nothing.
#
#   tools/bench_blas.sh            ROUNDS=5 REPEAT=15 THREADS="1 2" CORES="Haswell" TORCH_PYTHON=python3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}; repeat=${REPEAT:-15}; threads=${THREADS:-1 2}; cores=${CORES:-Haswell}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/bench_gemm" "$root/tools/bench_gemm.c" -ldl -lm
lib=/usr/lib/x86_64-linux-gnu
cands=()   # name|library|kind|extra environment
[ -e $lib/libopenblas.so.0 ] && cands+=("openblas|$lib/libopenblas.so.0|cblas|")
for c in $cores; do [ -e $lib/libopenblas.so.0 ] && cands+=("openblas-$c|$lib/libopenblas.so.0|cblas|OPENBLAS_CORETYPE=$c"); done
[ -e $lib/blis-pthread/libblis.so.4 ] && cands+=("blis|$lib/blis-pthread/libblis.so.4|cblas|")
[ -e $lib/libdnnl.so.2 ] && cands+=("dnnl|$lib/libdnnl.so.2|dnnl|")
torch_lib=$("${TORCH_PYTHON:-python3}" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)
[ -n "$torch_lib" ] && [ -e "$torch_lib/libtorch_cpu.so" ] && cands+=("mkl(torch)|$torch_lib/libtorch_cpu.so|fortran|LD_LIBRARY_PATH=$torch_lib")
echo "BLAS sgemm on the fast paths' shapes: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $rounds interleaved rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    for c in "${cands[@]}"; do
      IFS='|' read -r name path kind extra <<<"$c"
      env $extra OPENBLAS_NUM_THREADS=$t BLIS_NUM_THREADS=$t OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t \
        "$work/bench_gemm" "$path" "$kind" "$t" "$repeat" | sed "s/^/$name|$t|/" >>"$work/all.txt" || echo "$name failed" >&2
    done
  done
done
python3 - "$work/all.txt" <<'EOF'
import sys, statistics, collections
rows = collections.defaultdict(list); order = []; names = []; info = {}
for line in open(sys.argv[1]):
    name, t, rest = line.rstrip("\n").split("|", 2)
    if name not in names: names.append(name)
    if " ms " not in rest:
        info[name] = rest; continue
    shape = rest[:36].strip(); ms = float(rest[36:].split()[0])
    if shape not in order: order.append(shape)
    rows[(shape, t, name)].append(ms)
threads = sorted({k[1] for k in rows})
for t in threads:
    print(f"\n{t} thread(s): GFLOP/s (ms for the sums), median over rounds" )
    print(f"{'shape':<34}" + "".join(f"{n:>17}" for n in names))
    for shape in order:
        cells = []
        dims = [int(x) for x in shape.split()[-2].split("x")] if "x" in shape.split()[-2] else None
        for n in names:
            v = rows.get((shape, t, n))
            if not v: cells.append(f"{'-':>17}"); continue
            ms = statistics.median(v)
            if dims: cells.append(f"{2 * dims[0] * dims[1] * dims[2] / ms / 1e6:>17.1f}")
            else: cells.append(f"{ms:>14.2f} ms")
        print(f"{shape:<34}" + "".join(cells))
print("\n" + "; ".join(f"{n}: {i}" for n, i in info.items()))
EOF
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
