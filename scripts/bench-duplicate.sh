#!/usr/bin/env bash
# `rawburn burn` of one disc to several virtual recorders at once, against
# a single burn of the same disc.
#
# Makes a mixed disc in a temporary directory once (MINUTES minutes,
# default 74: a Mode 1 data track of 20,000 sectors, the rest one audio
# track; pseudo-random bytes), then times, best of RUNS (default 3), a
# verified burn (MODE, default raw96r) to one virtual recorder, and to
# DRIVES (default 4) at once, each onto fresh blank discs. The discs and
# the duplicator's spool live in TMPDIR: put it on a tmpfs (/dev/shm) to
# time rawburn rather than the disk. The release binary is built first
# unless RAWBURN names one. The last line is machine-readable:
#   bench-duplicate drives=N single_s=N many_s=N single_mb_s=N many_mb_s=N speedup=N encoded=N sectors=N
# where the MB/s count the bytes every drive recorded (2448 per sector),
# speedup is many_mb_s / single_mb_s, and encoded is how many sectors the
# duplicator encoded (sectors: what one drive wrote).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
minutes=${MINUTES:-74}
drives=${DRIVES:-4}
mode=${MODE:-raw96r}
if [[ -z "${RAWBURN:-}" ]]; then
    cargo build --release -p rawburn --quiet
    RAWBURN=$PWD/target/release/rawburn
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/rawburn-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
audio=$((minutes * 60 * 75 - 20000))
random() { head -c "$1" < <(openssl enc -aes-128-ctr -nosalt -pass pass:"$2" -in /dev/zero 2>/dev/null); }
random $((20000 * 2048)) data > "$dir/d.iso"
random $((audio * 2352)) audio > "$dir/a.pcm"
cat > "$dir/disc.json" <<JSON
{ "sources": [{ "path": "d.iso" }, { "path": "a.pcm" }],
  "tracks": [ { "sectorType": "mode1", "data": { "source": 0, "sectors": 20000 } },
    { "sectorType": "audio", "data": { "source": 1, "sectors": $audio } } ] }
JSON
cat "$dir/d.iso" "$dir/a.pcm" > /dev/null # into the page cache

# Blank discs v1..vN.
blanks() {
    rm -f "$dir"/v*.vdisc
    for k in $(seq "$1"); do "$RAWBURN" vdisc create "$dir/v$k.vdisc" > /dev/null; done
}

# Best wall time of `runs` burns to $1 drives, in seconds; the last burn's
# stderr kept in $dir/err.
best() {
    local n=$1 best="" t0 t1 t args=()
    for k in $(seq "$n"); do args+=(--virtual "$dir/v$k.vdisc"); done
    for _ in $(seq "$runs"); do
        blanks "$n"
        sync
        t0=$(date +%s.%N)
        "$RAWBURN" burn "$dir/disc.json" "${args[@]}" --mode "$mode" --verify 2> "$dir/err"
        t1=$(date +%s.%N)
        t=$(echo "$t1 - $t0" | bc -l)
        if [[ -z "$best" ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
    done
    printf '%.3f' "$best"
}

echo "load before: $(uptime | sed 's/.*load average/load average/'), $(nproc) cores"
single_s=$(best 1)
sectors=$(sed -n 's/^burned and verified: \([0-9]*\) sectors.*/\1/p' "$dir/err" | head -1)
many_s=$(best "$drives")
encoded=$(sed -n 's/.*(\([0-9]*\) sectors encoded once).*/\1/p' "$dir/err")
echo "load after:  $(uptime | sed 's/.*load average/load average/')"

mb=$(echo "$sectors * 2448 / 1000000" | bc -l)
single_mb_s=$(printf '%.1f' "$(echo "$mb / $single_s" | bc -l)")
many_mb_s=$(printf '%.1f' "$(echo "$drives * $mb / $many_s" | bc -l)")
speedup=$(printf '%.2f' "$(echo "$many_mb_s / $single_mb_s" | bc -l)")
printf '%-40s %8s s  %8s MB/s recorded\n' "one drive ($mode, verified)" "$single_s" "$single_mb_s"
printf '%-40s %8s s  %8s MB/s recorded (%sx)\n' "$drives drives at once" "$many_s" "$many_mb_s" "$speedup"
printf '%s sectors per disc; the duplicator encoded %s\n' "$sectors" "$encoded"
echo "bench-duplicate drives=$drives single_s=$single_s many_s=$many_s single_mb_s=$single_mb_s many_mb_s=$many_mb_s speedup=$speedup encoded=$encoded sectors=$sectors"
