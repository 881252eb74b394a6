#!/usr/bin/env bash
# The main job on its embedded default: builds a sample data disc image
# (out/sample.bin + out/sample.cue) from a small file tree, checks every
# sector and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --minimal

out=out
rm -rf "$out/sample-root" && mkdir -p "$out/sample-root/docs"
cp README.md "$out/sample-root/README.TXT"
printf 'rawburn sample disc\n' > "$out/sample-root/docs/ABOUT.TXT"
xorriso -as mkisofs -quiet -V RAWBURN_SAMPLE -o "$out/sample.iso" "$out/sample-root" 2>"$out/xorriso.log" \
    || { cat "$out/xorriso.log" >&2; exit 1; }

cargo run -j2 --quiet --release -p layout --example iso2bin -- "$out/sample.iso" "$out/sample"
