#!/usr/bin/env bash
# Installs what rawburn's build and tests need on a Debian machine, skipping
# whatever is already present. Sourced by run.sh and test.sh; safe to rerun.
#   scripts/setup.sh            everything the tests need
#   scripts/setup.sh --minimal  only what the main job needs
set -euo pipefail
cd "$(dirname "$0")/.."

minimal=0
[ "${1:-}" = "--minimal" ] && minimal=1

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: the image tools the tests check our output against, and
# for the npm package Node (when none is installed) and the browser its
# tests run in.
packages=(xorriso sox)
if [ "$minimal" -eq 0 ]; then
    packages+=(libcdio-utils bchunk mame-tools cdrdao genisoimage chromium)
    command -v node >/dev/null || packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup" >&2; exit 1; }

if [ "$minimal" -eq 0 ]; then
    if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        echo "setup: adding the wasm32-unknown-unknown target" >&2
        rustup target add wasm32-unknown-unknown >/dev/null
    fi

    # The wasm-bindgen CLI must be the version of the wasm-bindgen crate in
    # Cargo.lock (both halves of the JS glue come from one release).
    want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
    have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')
    if [ -n "$want" ] && [ "$have" != "$want" ]; then
        echo "setup: installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes" >&2
        cargo install wasm-bindgen-cli --version "$want" --force >/dev/null
    fi

    # The npm package's development tools (playwright-core drives Chromium).
    if [ ! -d crates/wasm/node_modules/playwright-core ]; then
        echo "setup: installing the npm package's development dependencies" >&2
        npm ci --prefix crates/wasm --no-audit --no-fund >/dev/null
    fi
fi
