#!/usr/bin/env bash
# Checks every "is it installed?" branch of scripts/setup.sh with the tool
# absent: scripts/setup.sh --dry-run runs in a copy of the tree under a PATH
# that holds only a shell's basics and stand-ins for the tools a case says
# are present, and must name exactly the steps that install the rest (and
# survive probes that fail under set -euo pipefail).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want_bindgen" ] || { echo "tests/setup.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# The npm projects setup.sh installs, and each one's pinned dependencies, one
# "name version" a line, as setup.sh reads them (`file:` links left out).
npm_dirs=(crates/wasm web)
[ -f "$root/tests/web/package.json" ] && npm_dirs+=(tests/web)
npm_pins() {
    awk -F'"' '/"(dependencies|devDependencies)"[ \t]*:/ { on = 1; next } on && /}/ { on = 0; next } on && NF >= 5 && $4 !~ /^file:/ { print $2, $4 }' \
        "$root/$1/package.json"
}
names_of() { npm_pins "$1" | awk '{ printf "%s%s", sep, $1; sep = " " }'; }
all_npm=$(names_of crates/wasm)
[ -n "$all_npm" ] || { echo "tests/setup.sh: no devDependencies in crates/wasm/package.json" >&2; exit 1; }
web_npm=$(names_of web)
# The "npm: ..." lines of a machine with none of them installed; of the main
# job's projects only.
npm_all=""
for d in "${npm_dirs[@]}"; do npm_all+="${npm_all:+$'\n'}npm: $d ($(names_of "$d"))"; done
npm_main="npm: crates/wasm ($all_npm)
npm: web ($web_npm)"

# A copy of the tree as setup.sh sees it: the script, Cargo.lock and the npm
# projects' package.json files. With `node_modules`, their dependencies as
# installed at their pinned versions, except each one named after it
# (NAME: absent; NAME=VERSION: installed at another version; DIR:NAME for a
# project other than crates/wasm).
tree() {
    rm -rf "$work/tree" && mkdir -p "$work/tree/scripts"
    cp "$root/scripts/setup.sh" "$work/tree/scripts/"
    cp "$root/Cargo.lock" "$work/tree/"
    local d
    for d in "${npm_dirs[@]}"; do
        mkdir -p "$work/tree/$d" && cp "$root/$d/package.json" "$work/tree/$d/"
    done
    [ "${1:-}" = node_modules ] || return 0
    shift
    local name version except dir qualified
    for d in "${npm_dirs[@]}"; do
        while read -r name version; do
            for except in "$@"; do
                qualified=$except
                [ "${except#*:}" = "$except" ] && qualified="crates/wasm:$except"
                [ "${qualified%%:*}" = "$d" ] || continue
                qualified=${qualified#*:}
                [ "$qualified" = "$name" ] && continue 2
                [ "${qualified%%=*}" = "$name" ] && version=${qualified#*=}
            done
            dir="$work/tree/$d/node_modules/$name"
            mkdir -p "$dir"
            printf '{\n  "name": "%s",\n  "version": "%s"\n}\n' "$name" "$version" > "$dir/package.json"
        done < <(npm_pins "$d")
    done
}

# A PATH of the basics plus one stand-in per argument: NAME (prints nothing,
# succeeds) or NAME=SCRIPT (a shell body).
path_with() {
    local bin="$work/bin"
    rm -rf "$bin" && mkdir -p "$bin"
    for tool in bash dirname id awk grep; do
        ln -s "$(command -v "$tool")" "$bin/$tool"
    done
    for spec in "$@"; do
        local name=${spec%%=*} body="exit 0"
        [ "$spec" != "$name" ] && body=${spec#*=}
        printf '#!%s\n%s\n' "$(command -v bash)" "$body" > "$bin/$name"
        chmod +x "$bin/$name"
    done
    echo "$bin"
}

# The system Python setup.sh probes for umockdev's GObject bindings
# (RAWBURN_SYSTEM_PYTHON): one that imports them, and one that does not.
# `gi` names the one the next checks use.
printf '#!%s\nexit 0\n' "$(command -v bash)" > "$work/python-with-gi"
printf '#!%s\nexit 1\n' "$(command -v bash)" > "$work/python-without-gi"
chmod +x "$work/python-with-gi" "$work/python-without-gi"
gi=with
# Debian's wine64 loader, outside PATH (RAWBURN_WINE64): `wine64` says
# whether the next checks have it.
printf '#!%s\nexit 0\n' "$(command -v bash)" > "$work/wine64"
chmod +x "$work/wine64"
wine64=present
wine64_path() { [ "$wine64" = present ] && echo "$work/wine64" || echo "$work/no-wine64"; }

# check NAME EXPECTED-EXIT EXPECTED-STDOUT PATH [setup.sh options]
check() {
    local name=$1 want_rc=$2 want_out=$3 path=$4
    shift 4
    local out rc=0
    out=$(env -i PATH="$path" HOME="$work" RAWBURN_SYSTEM_PYTHON="$work/python-$gi-gi" \
        RAWBURN_WINE64="$(wine64_path)" \
        "$work/tree/scripts/setup.sh" --dry-run "$@" 2>"$work/stderr") || rc=$?
    if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
        echo "FAIL $name: exit $rc (want $want_rc)" >&2
        printf '  stdout:\n%s\n  want:\n%s\n  stderr:\n' "$out" "$want_out" >&2
        cat "$work/stderr" >&2
        failures=$((failures + 1))
    else
        echo "ok   $name" >&2
    fi
}

apt_tools=(xorriso sox node npm cd-info bchunk chdman cdrdao flac lame oggenc ffmpeg chromium umockdev-run sg_raw x86_64-w64-mingw32-gcc wine)
all_apt="apt: xorriso sox nodejs npm libcdio-utils bchunk mame-tools cdrdao flac lame vorbis-tools ffmpeg chromium umockdev sg3-utils gcc-mingw-w64-x86-64 wine wine64 python3-gi gir1.2-umockdev-1.0"
rustup_ok='[ "$*" = "target list --installed" ] && printf "wasm32-unknown-unknown\nx86_64-pc-windows-gnu\n"; exit 0'
rustup_wasm_only='[ "$*" = "target list --installed" ] && echo wasm32-unknown-unknown; exit 0'
bindgen_ok="echo wasm-bindgen $want_bindgen"

tree node_modules
check "everything present: nothing to do" 0 "" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

tree
gi=without
wine64=absent
check "fresh machine: every step" 1 "$all_apt" "$(path_with)"
check "fresh machine with cargo and rustup: every step" 0 \
    "$all_apt
rustup: wasm32-unknown-unknown
rustup: x86_64-pc-windows-gnu
cargo: wasm-bindgen-cli $want_bindgen
$npm_all" \
    "$(path_with cargo rustup)"

gi=with
wine64=present

tree node_modules
check "no umockdev or sg3-utils" 0 "apt: umockdev sg3-utils" \
    "$(path_with "${apt_tools[@]:0:13}" x86_64-w64-mingw32-gcc wine cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

gi=without
check "no umockdev bindings for the system Python" 0 "apt: python3-gi gir1.2-umockdev-1.0" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"
gi=with

check "no wasm-bindgen, chromium or node" 0 \
    "apt: nodejs npm chromium
cargo: wasm-bindgen-cli $want_bindgen" \
    "$(path_with xorriso sox cd-info bchunk chdman cdrdao flac lame oggenc ffmpeg umockdev-run sg_raw x86_64-w64-mingw32-gcc wine cargo rustup="$rustup_ok")"

check "no MinGW-w64 cross compiler" 0 "apt: gcc-mingw-w64-x86-64" \
    "$(path_with "${apt_tools[@]:0:15}" wine cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

wine64=absent
check "no Wine" 0 "apt: wine wine64" \
    "$(path_with "${apt_tools[@]:0:16}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"
check "wine without Debian's wine64 loader" 0 "apt: wine64" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"
wine64=present

check "no Windows Rust target" 0 "rustup: x86_64-pc-windows-gnu" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_wasm_only" wasm-bindgen="$bindgen_ok")"

check "probes that fail (rustup and wasm-bindgen exit 1)" 0 \
    "rustup: wasm32-unknown-unknown
rustup: x86_64-pc-windows-gnu
cargo: wasm-bindgen-cli $want_bindgen" \
    "$(path_with "${apt_tools[@]}" cargo rustup="exit 1" wasm-bindgen="exit 1")"

check "another wasm-bindgen version" 0 "cargo: wasm-bindgen-cli $want_bindgen" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="echo wasm-bindgen 0.1.0")"

check "no rustup and no wasm32 target" 1 "" "$(path_with "${apt_tools[@]}" cargo)"

tree
check "npm projects' dependencies missing" 0 "$npm_all" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

tree node_modules binaryen
check "binaryen (wasm-opt) missing" 0 "npm: crates/wasm (binaryen)" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

tree node_modules binaryen=108.0.0 typescript
check "binaryen at another version, typescript missing" 0 "npm: crates/wasm (binaryen typescript)" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

tree node_modules web:vite web:preact=10.0.0
check "editor's dependencies: vite missing, preact at another version" 0 "npm: web (preact vite)" \
    "$(path_with "${apt_tools[@]}" cargo rustup="$rustup_ok" wasm-bindgen="$bindgen_ok")"

tree
# The main job needs neither umockdev nor Wine: neither is asked for, nor
# the Windows target.
gi=without
wine64=absent
check "main job on a fresh machine" 0 "apt: xorriso sox nodejs npm
rustup: wasm32-unknown-unknown
cargo: wasm-bindgen-cli $want_bindgen
$npm_main" "$(path_with cargo rustup)" --minimal
tree node_modules
check "main job with its tools" 0 "" \
    "$(path_with xorriso sox node npm cargo rustup="$rustup_wasm_only" wasm-bindgen="$bindgen_ok")" --minimal
check "main job without cargo" 1 "apt: nodejs npm" "$(path_with xorriso sox)" --minimal
check "unknown option" 2 "" "$(path_with)" --frobnicate

if [ "$failures" -gt 0 ]; then
    echo "tests/setup.sh: $failures case(s) failed" >&2
    exit 1
fi
echo "tests/setup.sh: every set-up branch behaves" >&2
