#!/usr/bin/env bash
# Builds rawburn's release files into dist/:
#   rawburn-VERSION-x86_64-linux.tar.gz    rawburn (x86_64-unknown-linux-gnu), README, licenses
#   rawburn-VERSION-x86_64-windows.zip     rawburn.exe (x86_64-pc-windows-gnu), README, licenses
#   rawburn-VERSION.tgz                    the npm package (crates/wasm/pkg, npm pack)
#   SHA256SUMS                             sha256sum's format: `sha256sum -c SHA256SUMS` checks them
# VERSION is the rawburn crate's, from cargo metadata. Needs what
# scripts/setup.sh installs (the MinGW-w64 cross compiler and the Windows
# target, Node and the package's build tools).
#   scripts/release.sh             build everything (release profile), then package
#   scripts/release.sh --dry-run   print the steps, one a line, and change nothing
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=0
for arg in "$@"; do
    case "$arg" in
        --dry-run) dry_run=1 ;;
        *) echo "release: unknown option $arg (use --dry-run)" >&2; exit 2 ;;
    esac
done

# Runs a step, or in a dry run prints it.
step() {
    if [ "$dry_run" -eq 1 ]; then
        printf '%s\n' "$*"
    else
        printf 'release: %s\n' "$*" >&2
        "$@"
    fi
}

version=$(cargo metadata --no-deps --format-version 1 |
    /usr/bin/python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "rawburn"))')
[ -n "$version" ] || { echo "release: no version for the rawburn crate" >&2; exit 1; }
target_dir=${CARGO_TARGET_DIR:-target}
jobs=${CARGO_BUILD_JOBS:-2}
dist=dist
linux_name="rawburn-$version-x86_64-linux"
windows_name="rawburn-$version-x86_64-windows"
docs=(README.md LICENSE-APACHE LICENSE-MIT)

# A directory NAME holding FILES (paths in the tree) under dist/stage,
# archived as tar.gz or zip; archives hold the same bytes on every run
# (sorted names, fixed owner and times).
archive() {
    local kind=$1 name=$2
    shift 2
    local stage="$dist/stage/$name"
    rm -rf "$stage" && mkdir -p "$stage"
    cp "$@" "$stage/"
    case "$kind" in
        tar)
            tar -C "$dist/stage" --sort=name --owner=0 --group=0 --numeric-owner \
                --mtime=@0 -czf "$dist/$name.tar.gz" "$name"
            ;;
        zip)
            /usr/bin/python3 - "$dist/stage" "$name" "$dist/$name.zip" <<'PY'
import os, sys, zipfile
stage, name, out = sys.argv[1:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(os.path.join(stage, name))):
        info = zipfile.ZipInfo(f"{name}/{f}", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o755 << 16 if f.endswith(".exe") else 0o644 << 16
        with open(os.path.join(stage, name, f), "rb") as src:
            z.writestr(info, src.read())
PY
            ;;
    esac
}

# The npm tarball npm pack makes of pkg/, moved to its release name.
npm_tarball() {
    local made
    made=$(cd crates/wasm && npm pack ./pkg --pack-destination "../../$dist" --silent | tail -n 1)
    [ "$made" = "rawburn-$version.tgz" ] ||
        mv "$dist/$made" "$dist/rawburn-$version.tgz"
}

checksums() {
    (cd "$dist" && sha256sum "$linux_name.tar.gz" "$windows_name.zip" "rawburn-$version.tgz" > SHA256SUMS)
    (cd "$dist" && sha256sum -c --quiet SHA256SUMS)
    rm -rf "$dist/stage"
}

step rm -rf "$dist"
step mkdir -p "$dist"
step cargo build -j "$jobs" --release --locked --target x86_64-unknown-linux-gnu -p rawburn
step cargo build -j "$jobs" --release --locked --target x86_64-pc-windows-gnu -p rawburn
step npm run build --prefix crates/wasm
step archive tar "$linux_name" "$target_dir/x86_64-unknown-linux-gnu/release/rawburn" "${docs[@]}"
step archive zip "$windows_name" "$target_dir/x86_64-pc-windows-gnu/release/rawburn.exe" "${docs[@]}"
step npm_tarball
step checksums
[ "$dry_run" -eq 1 ] || ls -l "$dist" >&2
