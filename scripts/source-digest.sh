#!/usr/bin/env bash
# Prints one SHA-256 over everything that decides what orb-scan's binary does (Cargo.toml,
# Cargo.lock, build.rs, src/, data/), file names included. The release workflow publishes it as the
# release asset SOURCE-DIGEST; the GitHub Action computes it over its own files and downloads the
# release binary only when the two match, so an unreleased commit is built from its source.
# Portable to the runners' bash and tools (GNU or BSD find/sort/xargs; sha256sum or shasum).
#
# Usage: scripts/source-digest.sh [REPOSITORY-ROOT]   (default: this script's repository)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
# `sha256sum` (GNU) or `shasum -a 256` (macOS) print the same `HASH  NAME` lines.
sha256='if command -v sha256sum >/dev/null 2>&1; then exec sha256sum -- "$@"; else exec shasum -a 256 -- "$@"; fi'
find Cargo.toml Cargo.lock build.rs src data -type f -print0 \
  | LC_ALL=C sort -z | xargs -0 sh -c "$sha256" sha256 \
  | sh -c "$sha256" sha256 | cut -c1-64
