#!/usr/bin/env bash
# The main job on its embedded default: a sample mixed-mode disc (an ISO 9660
# data track made from this repository's README, then two audio tracks with
# an ISRC, a catalog number, an index point and CD-TEXT) is described as a cue sheet,
# shown with `rawburn toc`, built as BIN/CUE, CloneCD and a raw image, and
# burned to the virtual recorder with verification, then read back from it
# into a CloneCD image identical to the one built. Last, the companion
# (`rawburn serve`) starts on a virtual recorder with a blank disc
# (out/companion.vdisc), serving the disc editor (web/, built here with the
# npm package under it and embedded in the binary), and prints its address;
# Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --minimal

src=out/sample-src
rm -rf "$src" && mkdir -p "$src/root/docs"
cp README.md "$src/root/README.TXT"
printf 'rawburn sample disc\n' > "$src/root/docs/ABOUT.TXT"
xorriso -as mkisofs -quiet -V RAWBURN_SAMPLE -o "$src/data.iso" "$src/root" 2>"$src/xorriso.log" \
    || { cat "$src/xorriso.log" >&2; exit 1; }
sox -n -r 44100 -c 2 -b 16 "$src/a440.wav" synth 20 sine 440 vol 0.3
sox -n -r 44100 -c 2 -b 16 "$src/a660.wav" synth 15 sine 660 vol 0.3
cat > "$src/sample.cue" <<'CUE'
CATALOG 0036000291452
PERFORMER "rawburn"
TITLE "Sample Disc"
FILE "data.iso" BINARY
  TRACK 01 MODE1/2048
    INDEX 01 00:00:00
    POSTGAP 00:02:00
FILE "a440.wav" WAVE
  TRACK 02 AUDIO
    TITLE "A 440"
    ISRC USRC17607839
    PREGAP 00:02:00
    INDEX 01 00:00:00
    INDEX 02 00:10:00
FILE "a660.wav" WAVE
  TRACK 03 AUDIO
    TITLE "E 660"
    FLAGS DCP
    INDEX 01 00:00:00
CUE

# The npm package (WebAssembly) and the editor on it, built into web/dist
# before the binary, which embeds it.
npm run build --prefix crates/wasm >/dev/null
npm run build --prefix web >/dev/null
cargo build -j2 --quiet --release -p rawburn
rawburn=target/release/rawburn
"$rawburn" toc "$src/sample.cue"
for out in out/sample.cue out/sample.ccd out/sample.raw; do
    "$rawburn" build "$src/sample.cue" -o "$out"
done

# Burn the sample to the virtual recorder (a blank 80-minute CD-R in
# out/sample.vdisc), read it back to check, and show the disc.
"$rawburn" vdisc create out/sample.vdisc --force
"$rawburn" burn "$src/sample.cue" --virtual out/sample.vdisc --verify
"$rawburn" media --virtual out/sample.vdisc
mkdir -p out/readback
"$rawburn" read --virtual out/sample.vdisc -o out/readback/sample.ccd
for f in sample.ccd sample.img sample.sub; do
    cmp "out/$f" "out/readback/$f"
done
echo "read back: out/readback/sample.ccd, .img and .sub equal the built image" >&2

# The companion: open the address it prints in a browser on this machine to
# design a disc in the editor and burn it (the sample's files are in
# out/sample-src/: drop sample.cue with its files on the page).
"$rawburn" vdisc create out/companion.vdisc --force >/dev/null
echo "starting the companion on a virtual recorder (out/companion.vdisc); Ctrl-C stops it" >&2
exec "$rawburn" serve --virtual out/companion.vdisc --state-dir out/state --port "${RAWBURN_PORT:-7867}"
