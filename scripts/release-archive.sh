#!/usr/bin/env bash
# Builds orb-scan for one target with the `dist` profile (fat LTO) and packs it as a release asset:
#   OUT-DIR/orb-scan-VERSION-TARGET.tar.gz         a folder of that name holding orb-scan (orb-scan.exe
#                                                  on Windows), LICENSE, README.md and CHANGELOG.md
#   OUT-DIR/orb-scan-VERSION-TARGET.tar.gz.sha256  its checksum, in `sha256sum` format
# The layout is what `cargo binstall` (Cargo.toml's [package.metadata.binstall]) and the GitHub Action
# expect. Run by .github/workflows/release.yml on each runner; runs the same way here.
#
# Usage: scripts/release-archive.sh TARGET OUT-DIR [--prebuilt BINARY]
#   --prebuilt BINARY   pack BINARY instead of building (tests of what consumes the archive)
set -euo pipefail
if [[ $# -ne 2 && ! ( $# -eq 4 && $3 == --prebuilt ) ]]; then
  echo "usage: $0 TARGET OUT-DIR [--prebuilt BINARY]" >&2
  exit 2
fi
target="$1"
mkdir -p "$2"
out="$(cd "$2" && pwd)"
prebuilt="${4:-}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[[ -n $version ]] || { echo "no version in Cargo.toml" >&2; exit 1; }
exe=""
[[ $target == *windows* ]] && exe=".exe"

if [[ -z $prebuilt ]]; then
  cargo build --locked --profile dist --target "$target" --bin orb-scan
  prebuilt="${CARGO_TARGET_DIR:-target}/$target/dist/orb-scan$exe"
fi

name="orb-scan-$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$prebuilt" "$stage/$name/orb-scan$exe"
chmod 755 "$stage/$name/orb-scan$exe"
cp LICENSE README.md CHANGELOG.md "$stage/$name/"
# Names sorted and owners dropped where tar allows it (GNU tar); BSD tar packs as it finds.
if tar --version 2>/dev/null | grep -q GNU; then
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
else
  tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
fi
(
  cd "$out"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$name.tar.gz" > "$name.tar.gz.sha256"
  else
    shasum -a 256 -- "$name.tar.gz" > "$name.tar.gz.sha256"
  fi
)
echo "$out/$name.tar.gz"
