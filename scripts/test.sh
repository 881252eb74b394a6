#!/usr/bin/env bash
# Runs every test of the workspace on a fresh Debian machine: installs what is
# missing, then formatting, lints, unit/property/integration tests (with and
# without default features), doc tests, the wasm32 build and the benchmarks'
# build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

step() { printf '\n== %s\n' "$*" >&2; }

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

step "tests without default features (serial encoder only)"
cargo test -j2 -p layout --no-default-features --lib

step "wasm32 build of layout"
cargo build -j2 -p layout --target wasm32-unknown-unknown

step "benchmarks build"
cargo bench -j2 --workspace --no-run

printf '\nall tests passed\n' >&2
