#!/usr/bin/env bash
# Runs every test of the workspace on a fresh Debian machine: installs what is
# missing, then formatting, lints, unit/property/integration tests (with and
# without default features), doc tests, a minute of fuzzing through the
# CLI, rawburn's USB and SG_IO paths against emulated devices (umockdev),
# the Windows build under Wine, the release script's dry run, the wasm32
# build, the benchmarks' build, and the npm package: its build, its tests
# in Node and headless Chromium, and its benchmark on a short disc; the
# companion's burn page and the disc editor (web/) in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "set-up script: every branch with its tool absent (dry runs)"
tests/setup.sh

step "set-up"
scripts/setup.sh

step "format"
cargo fmt --all -- --check

step "lints"
cargo clippy -j2 --workspace --all-targets -- -D warnings

step "tests"
if command -v cargo-nextest >/dev/null; then
    cargo nextest run -j2 --workspace --no-fail-fast
else
    cargo test -j2 --workspace --no-fail-fast
fi
cargo test -j2 --workspace --doc

step "fuzz: mutated inputs through the CLI, briefly"
# The debug binary the tests above built; every failing case is saved
# under target/fuzz-findings/ with its replay command. A failure ends the
# script after the remaining steps, so they still report.
cargo build -j2 -p rawburn
fuzz_status=0
cargo run -j2 -p rawburn-tests --bin fuzz -- --seconds 60 --rawburn target/debug/rawburn ||
    fuzz_status=$?

step "USB and SG_IO through umockdev (tests/usb)"
# rawburn's libusb path, and its SG_IO one, against the virtual recorder:
# umockdev emulates the devices and vusb carries their requests to it.
cargo build -j2 -p rawburn -p rawburn-tests --bin rawburn --bin vusb
debug="${CARGO_TARGET_DIR:-target}/debug"
RAWBURN="$debug/rawburn" VUSB="$debug/vusb" "${RAWBURN_SYSTEM_PYTHON:-/usr/bin/python3}" tests/usb/run.py

step "the Windows CLI under Wine (tests/windows)"
# rawburn.exe, cross-built with MinGW-w64, under Wine against the Linux
# binary above: the same bytes, exit codes and messages; drive letters,
# backslashes, CRLF and Windows-1252 sheets. bcryptprimitives.dll gives
# Wine 8 the ProcessPrng that Rust's standard library calls.
cargo build -j2 --target x86_64-pc-windows-gnu -p rawburn
windows="${CARGO_TARGET_DIR:-target}/x86_64-pc-windows-gnu/debug"
x86_64-w64-mingw32-gcc -shared -O2 -o "$windows/bcryptprimitives.dll" \
    tests/windows/processprng.c -ladvapi32
RAWBURN_EXE="$windows/rawburn.exe" RAWBURN="$debug/rawburn" \
    "${RAWBURN_SYSTEM_PYTHON:-/usr/bin/python3}" tests/windows/run.py

step "release script: dry run"
scripts/release.sh --dry-run

step "tests without default features (serial encoder only)"
cargo test -j2 -p layout --no-default-features --lib

step "wasm32 build of layout"
cargo build -j2 -p layout --target wasm32-unknown-unknown

step "benchmarks build"
cargo bench -j2 --workspace --no-run

step "npm package: build (crates/wasm/pkg)"
npm run build --prefix crates/wasm

step "npm package: tests (the packed tarball in Node and headless Chromium, against rawburn build)"
# The native side of the comparisons: the binary the tests above built.
export RAWBURN="$PWD/target/debug/rawburn"
[ -x "$RAWBURN" ] || cargo build -j2 -p rawburn
npm test --prefix crates/wasm

step "the companion's burn page: headless Chromium against rawburn serve"
node --test tests/companion/

step "the editor: type check and build (web/dist), built into rawburn serve"
npm run build --prefix web
cargo build -j2 -p rawburn

step "the editor: headless Chromium, static and through rawburn serve (tests/web)"
node --test tests/web/

step "npm package: benchmark, on a short disc"
node crates/wasm/bench/build.mjs --tracks 3

if [ "$fuzz_status" -ne 0 ]; then
    printf '\nfuzz: oracles failed (exit %s); reproducers in target/fuzz-findings/\n' "$fuzz_status" >&2
    exit "$fuzz_status"
fi

printf '\nall tests passed\n' >&2
