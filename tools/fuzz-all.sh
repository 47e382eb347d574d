#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another, each starting from its
# checked-in seeds (fuzz/seeds/<target>, made by tools/fuzz-seeds.py) beside its own growing
# corpus (fuzz/corpus/<target>, not checked in), and prints one line per target: runs, coverage
# points, corpus size, and whether it crashed (crashes land in fuzz/artifacts/<target>).
#
#   tools/fuzz-all.sh 150            # needs `cargo install cargo-fuzz` once
#   tools/fuzz-all.sh 60 csv_reader  # only the targets named
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(ls fuzz/fuzz_targets | sed 's/\.rs$//')
fi
command -v cargo-fuzz >/dev/null || { echo "fuzz-all: cargo install cargo-fuzz first" >&2; exit 2; }
failed=0
printf '%-16s %10s %8s %8s  %s\n' target runs cov corpus result
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  seeds=()
  [ -d "fuzz/seeds/$target" ] && seeds=("fuzz/seeds/$target")
  log=$(mktemp)
  # -timeout: one input may take this long (BLF containers, SQLite files) before it is a hang.
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=20 -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -oE '(INITED|DONE|REDUCE|NEW|pulse) +cov: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  corpus=$(ls "fuzz/corpus/$target" | wc -l)
  if [ $status -eq 0 ]; then result=ok; else result="FAILED (exit $status; see fuzz/artifacts/$target)"; failed=1; fi
  printf '%-16s %10s %8s %8s  %s\n' "$target" "${runs:-?}" "${cov:-?}" "$corpus" "$result"
  [ $status -eq 0 ] || tail -20 "$log" >&2
  rm -f "$log"
done
exit $failed
