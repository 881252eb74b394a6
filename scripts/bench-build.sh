#!/usr/bin/env bash
# `rawburn build` of an 80-minute Mode 1 disc against copying the same bytes.
#
# Makes a 359,000-sector 2048-byte-sector input (735 MB of pseudo-random
# data) in a temporary directory once, then times, best of RUNS (default 3):
#   cp of the input, cat of the input to /dev/null,
#   rawburn build input.cue -o out.cue --threads 1 (read, encode, write on one thread),
#   rawburn build input.cue -o out.cue (a worker per core reading, encoding
#     and writing its own batches),
# and prints each with its ratio to cp. Outputs are removed and `sync` run
# before every timed command, so one run's dirty pages do not slow the next.
# The release binary is built first unless RAWBURN names one.
# The last line is machine-readable:
#   bench-build cp_s=N cat_s=N single_s=N parallel_s=N single_x_cp=N parallel_x_cp=N
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
sectors=${SECTORS:-359000}
if [[ -z "${RAWBURN:-}" ]]; then
    cargo build --release -p rawburn --quiet
    RAWBURN=$PWD/target/release/rawburn
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/rawburn-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# Pseudo-random sectors from a seeded stream: fast, and nothing compresses.
head -c $((sectors * 2048)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:rawburn \
    -in /dev/zero 2>/dev/null) > "$dir/input.iso"
printf 'FILE "input.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' > "$dir/input.cue"
cat "$dir/input.iso" > /dev/null # into the page cache, as for every later read

# Best wall time of `runs` runs of the command, in seconds.
best() {
    local best="" t0 t1 t
    for _ in $(seq "$runs"); do
        rm -f "$dir"/out.* "$dir/copy.iso"
        sync
        t0=$(date +%s.%N)
        "$@"
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc -l)
        if [[ -z "$best" ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
    done
    rm -f "$dir"/out.* "$dir/copy.iso"
    printf '%.3f' "$best"
}

echo "load before: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
cp_s=$(best cp "$dir/input.iso" "$dir/copy.iso")
cat_s=$(best sh -c "cat '$dir/input.iso' > /dev/null")
single_s=$(best "$RAWBURN" build "$dir/input.cue" -o "$dir/out.cue" --quiet --threads 1)
parallel_s=$(best "$RAWBURN" build "$dir/input.cue" -o "$dir/out.cue" --quiet)
echo "load after:  $(uptime | sed 's/.*load average/load average/')"

ratio() { printf '%.2f' "$(echo "$1 / $cp_s" | bc -l)"; }
mb=$((sectors * 2048 / 1000000))
printf '%-36s %8s s  %6sx cp\n' "cp ($mb MB)" "$cp_s" "1.00"
printf '%-36s %8s s  %6sx cp\n' "cat > /dev/null" "$cat_s" "$(ratio "$cat_s")"
printf '%-36s %8s s  %6sx cp\n' "rawburn build --threads 1" "$single_s" "$(ratio "$single_s")"
printf '%-36s %8s s  %6sx cp\n' "rawburn build (a worker per core)" "$parallel_s" "$(ratio "$parallel_s")"
echo "bench-build cp_s=$cp_s cat_s=$cat_s single_s=$single_s parallel_s=$parallel_s" \
    "single_x_cp=$(ratio "$single_s") parallel_x_cp=$(ratio "$parallel_s")"
