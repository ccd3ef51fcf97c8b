#!/usr/bin/env bash
# Compile speed of blankett against pyxform on the same 201 bygglov forms.
#
#   benches/pyxform/run.sh            # everything; about two minutes on 2 cores
#   RUNS=5 benches/pyxform/run.sh     # more passes per measurement
#
# Needs python3 (with venv) and the shared kit in /work/shared/bench/pyxform (or PYXFORM_KIT).
# Everything it makes goes under target/: the venv, the XLSForms, the converted library, outputs.
# A benchmark, not a test: it prints figures and a ratio, and checks nothing but that the
# converted forms compile without errors.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
KIT="${PYXFORM_KIT:-/work/shared/bench/pyxform}"
RUNS="${RUNS:-5}"
VENV="$CARGO_TARGET_DIR/pyxform-venv"
WORK="$CARGO_TARGET_DIR/pyxform-bench"
PY="$VENV/bin/python"

echo "== setup"
if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet pyxform openpyxl
fi
"$PY" -c 'import importlib.metadata as m; print("pyxform", m.version("pyxform"), "openpyxl", m.version("openpyxl"))'
python3 --version
echo "cores: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "== XLSForms (the kit's gen_forms.py: bygglov.xlsx, 85 rows, and 200 variants)"
mkdir -p "$WORK/xlsform"
"$PY" "$KIT/gen_forms.py" --out "$WORK/xlsform"
XLSX=("$WORK/xlsform/bygglov.xlsx" "$WORK"/xlsform/forms/*.xlsx)
echo "${#XLSX[@]} XLSForms"

echo "== converting to blankett YAML (benches/pyxform/xlsform_to_blankett.py)"
rm -rf "$WORK/lib" "$WORK/single"
"$PY" benches/pyxform/xlsform_to_blankett.py "$WORK/lib" "${XLSX[@]}"
"$PY" benches/pyxform/xlsform_to_blankett.py "$WORK/single" "$WORK/xlsform/bygglov.xlsx" > /dev/null

echo "== building blankett (release)"
cargo build --release --quiet --bin blankett
BLANKETT="$CARGO_TARGET_DIR/release/blankett"
"$BLANKETT" check "$WORK/lib"   # exits non-zero, stopping this script, on any error

echo
echo "== pyxform: convert() of ${#XLSX[@]} forms in one process"
"$PY" benches/pyxform/time_pyxform.py --runs "$RUNS" --json "$WORK/pyxform.json" "${XLSX[@]}"

echo
echo "== blankett: check, and check + build, of ${#XLSX[@]} forms in one process"
rm -rf "$WORK/out"
cargo bench --quiet --bench build_many -- "$WORK/lib" --runs "$((RUNS * 2 + 1))" --write "$WORK/out" --json \
    | tee "$WORK/blankett.txt"
grep '^{' "$WORK/blankett.txt" | tail -1 > "$WORK/blankett.json"

echo
echo "== single form, whole process (start-up included)"
mkdir -p "$WORK/cli"
XLS2XFORM=("$VENV/bin/xls2xform" --skip_validate "$WORK/xlsform/bygglov.xlsx" "$WORK/cli/bygglov.xml")
B_CHECK=("$BLANKETT" check "$WORK/single")
B_BUILD=("$BLANKETT" build "$WORK/single" -o "$WORK/cli/out")
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 2 --runs "$((RUNS * 4))" --style basic --export-json "$WORK/cli.json" \
        -n "xls2xform --skip_validate (pyxform)" "${XLS2XFORM[*]}" \
        -n "blankett check" "${B_CHECK[*]} 2>/dev/null" \
        -n "blankett build" "${B_BUILD[*]} > /dev/null"
else
    "$PY" - "$((RUNS * 4))" "$WORK/cli.json" "${XLS2XFORM[*]}" "${B_CHECK[*]} 2>/dev/null" "${B_BUILD[*]} > /dev/null" <<'EOF'
import json, statistics, subprocess, sys, time
runs, out, cmds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
names = ["xls2xform --skip_validate (pyxform)", "blankett check", "blankett build"]
res = []
for name, cmd in zip(names, cmds):
    subprocess.run(cmd, shell=True, check=True, capture_output=True)
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); subprocess.run(cmd, shell=True, check=True, capture_output=True)
        ts.append(time.perf_counter() - t)
    print(f"{name:<40} median {statistics.median(ts) * 1e3:8.1f} ms  (min {min(ts) * 1e3:.1f}, {runs} runs)")
    res.append({"command": name, "median": statistics.median(ts), "mean": statistics.mean(ts)})
json.dump({"results": res}, open(out, "w"))
EOF
fi

echo
echo "== summary"
"$PY" - "$WORK/pyxform.json" "$WORK/blankett.json" "$WORK/cli.json" <<'EOF'
import json, sys
p, b, cli = (json.load(open(f)) for f in sys.argv[1:4])
n = b["forms"]
rows = [
    ("pyxform convert() (xlsx → XForm)", p["convert_forms_per_s"]),
    ("pyxform compile only (xlsx parsed before)", p["compile_only_forms_per_s"]),
    ("blankett check", b["check_forms_per_s"]),
    ("blankett check + build (every output)", b["build_forms_per_s"]),
]
if b.get("write_forms_per_s"):
    rows.append(("blankett check + build + write files", b["write_forms_per_s"]))
print(f"{n} forms, one process each, {b['cores']} cores (one used by each)")
for name, r in rows:
    print(f"  {name:<44} {r:9.1f} forms/s  {1000 / r:7.3f} ms/form")
if "convert_forms_per_cpu_s" in p and "build_forms_per_cpu_s" in b:
    print(f"  on-CPU (not stretched by other work on the machine): pyxform {p['convert_forms_per_cpu_s']:.1f}, "
          f"blankett check {b['check_forms_per_cpu_s']:.1f}, check + build {b['build_forms_per_cpu_s']:.1f} forms/s")
    print(f"  on-CPU ratio check / pyxform convert: {b['check_forms_per_cpu_s'] / p['convert_forms_per_cpu_s']:7.1f}x, "
          f"check + build / pyxform convert: {b['build_forms_per_cpu_s'] / p['convert_forms_per_cpu_s']:7.1f}x")
base = p["convert_forms_per_s"]
print(f"  ratio check          / pyxform convert: {b['check_forms_per_s'] / base:7.1f}x")
print(f"  ratio check + build  / pyxform convert: {b['build_forms_per_s'] / base:7.1f}x")
print(f"  ratio check + build  / pyxform compile only: {b['build_forms_per_s'] / p['compile_only_forms_per_s']:7.1f}x")
r = {x["command"]: x for x in cli["results"]}
py = r["xls2xform --skip_validate (pyxform)"]["median"]
for name in ("blankett check", "blankett build"):
    t = r[name]["median"]
    print(f"  single form CLI: {name:<15} {t * 1e3:7.1f} ms vs xls2xform {py * 1e3:7.1f} ms: {py / t:5.1f}x")
EOF
