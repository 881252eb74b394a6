#!/usr/bin/env bash
# Installs what rawburn's build and tests need on a Debian machine, skipping
# whatever is already present. Called by run.sh and test.sh; safe to rerun.
#   scripts/setup.sh             everything the tests need
#   scripts/setup.sh --minimal   only what the main job needs (it builds the
#                                npm package and the editor, and burns)
#   scripts/setup.sh --dry-run   print what would be installed, one line per
#                                step ("apt: …", "rustup: …", "cargo: …",
#                                "npm: …"), and change nothing
# Every probe looks at what is on PATH (or in the tree), so a dry run under a
# PATH that lacks a tool shows the branch that installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

minimal=0
dry_run=0
for arg in "$@"; do
    case "$arg" in
        --minimal) minimal=1 ;;
        --dry-run) dry_run=1 ;;
        *) echo "setup: unknown option $arg (use --minimal, --dry-run)" >&2; exit 2 ;;
    esac
done

have() { command -v "$1" >/dev/null 2>&1; }

# Runs a step, or in a dry run names it on stdout.
step() {
    local what=$1
    shift
    if [ "$dry_run" -eq 1 ]; then
        echo "$what"
    else
        "$@"
    fi
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif have sudo; then
        sudo "$@"
    else
        echo "setup: installing Debian packages needs root or sudo; run as root, or install: $*" >&2
        exit 1
    fi
}

apt_install() {
    echo "setup: installing $*" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian packages, each with the command that shows it is there: for the
# main job the sample's tools and Node (the editor is built with npm); for
# the tests the image tools they check rawburn's output against, the
# browser the package's and the editor's tests run in, umockdev and
# sg3-utils for the USB and SG_IO tests (tests/usb), and for the Windows
# build's tests (tests/windows) the MinGW-w64 cross compiler and Wine.
packages=(xorriso:xorriso sox:sox nodejs:node npm:npm)
if [ "$minimal" -eq 0 ]; then
    packages+=(
        libcdio-utils:cd-info bchunk:bchunk mame-tools:chdman cdrdao:cdrdao
        flac:flac lame:lame vorbis-tools:oggenc ffmpeg:ffmpeg
        chromium:chromium umockdev:umockdev-run sg3-utils:sg_raw
        gcc-mingw-w64-x86-64:x86_64-w64-mingw32-gcc wine:wine
    )
fi
missing=()
for entry in "${packages[@]}"; do
    have "${entry#*:}" || missing+=("${entry%%:*}")
done
# Debian's wine64 puts its loader outside PATH (RAWBURN_WINE64, by default
# /usr/lib/wine/wine64): tests/windows runs the 64-bit rawburn.exe with it.
if [ "$minimal" -eq 0 ] && [ ! -x "${RAWBURN_WINE64:-/usr/lib/wine/wine64}" ]; then
    missing+=(wine64)
fi
# The USB and SG_IO tests' umockdev handler runs on the system's Python
# (RAWBURN_SYSTEM_PYTHON, by default /usr/bin/python3 rather than the first
# python3 on PATH, which may be another build): umockdev's GObject bindings
# must import there.
system_python=${RAWBURN_SYSTEM_PYTHON:-/usr/bin/python3}
gi_umockdev="import gi; gi.require_version('UMockdev', '1.0'); from gi.repository import UMockdev"
if [ "$minimal" -eq 0 ] && ! "$system_python" -c "$gi_umockdev" >/dev/null 2>&1; then
    missing+=(python3-gi gir1.2-umockdev-1.0)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    step "apt: ${missing[*]}" apt_install "${missing[@]}"
fi

if ! have cargo; then
    echo "setup: cargo not found; install Rust with rustup (https://rustup.rs)" >&2
    exit 1
fi

# The WebAssembly target, and for the tests the Windows one (rawburn.exe,
# run under Wine). Without rustup (a distribution's Rust) they cannot be
# added here.
installed_targets=""
if have rustup; then
    installed_targets=$(rustup target list --installed 2>/dev/null || true)
fi
targets=(wasm32-unknown-unknown)
[ "$minimal" -eq 1 ] || targets+=(x86_64-pc-windows-gnu)
install_target() {
    echo "setup: adding the $1 target" >&2
    rustup target add "$1" >/dev/null
}
for target in "${targets[@]}"; do
    grep -qx "$target" <<<"$installed_targets" && continue
    if ! have rustup; then
        echo "setup: the $target target is missing and rustup is not on PATH; install Rust with rustup" >&2
        exit 1
    fi
    step "rustup: $target" install_target "$target"
done

# The wasm-bindgen CLI must be the version of the wasm-bindgen crate in
# Cargo.lock (both halves of the JS glue come from one release).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
found=""
if have wasm-bindgen; then
    found=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
fi
if [ -n "$want" ] && [ "$found" != "$want" ]; then
    install_bindgen() {
        echo "setup: installing wasm-bindgen-cli $want (found: ${found:-none}); this takes a few minutes" >&2
        cargo install wasm-bindgen-cli --version "$want" --force >/dev/null
    }
    step "cargo: wasm-bindgen-cli $want" install_bindgen
fi

# The npm projects' dependencies, each at the version its package.json
# pins: crates/wasm (the package's build and test tools: binaryen's wasm-opt
# optimises the .wasm, npm's rather than Debian's, whose bookworm version
# 108 breaks wasm-bindgen's externref table, and one pinned version builds
# the same bytes everywhere; playwright-core drives Chromium; typescript,
# @types/node and esbuild check the package as its users load it), web (the
# editor: Vite, TypeScript, Preact) and, for the tests, tests/web (the
# editor's browser tests). A dependency is missing when its package.json is
# absent or names another version; `file:` dependencies (the editor's
# `rawburn`, the package built in the tree) are links npm ci makes.
npm_project() {
    local dir=$1 name want found manifest missing=()
    [ -f "$dir/package.json" ] || return 0
    while read -r name want; do
        case "$want" in file:*) continue ;; esac
        found=""
        manifest="$dir/node_modules/$name/package.json"
        if [ -f "$manifest" ]; then
            found=$(awk -F'"' '$2 == "version" { print $4; exit }' "$manifest")
        fi
        [ "$found" = "$want" ] || missing+=("$name")
    done < <(awk -F'"' '/"(dependencies|devDependencies)"[ \t]*:/ { on = 1; next } on && /}/ { on = 0; next } on && NF >= 5 { print $2, $4 }' "$dir/package.json")
    [ "${#missing[@]}" -gt 0 ] || return 0
    npm_install() {
        echo "setup: installing the npm dependencies of $dir (${missing[*]})" >&2
        npm ci --prefix "$dir" --no-audit --no-fund >/dev/null
    }
    step "npm: $dir (${missing[*]})" npm_install
}
npm_project crates/wasm
npm_project web
[ "$minimal" -eq 1 ] && exit 0
npm_project tests/web
