#!/usr/bin/env bash
# orb-scan's benchmarks in one command: installs what they need, builds the release binary, and runs
# bench/bench.py (orb-scan side by side with ripgrep, cfn-lint and checkov; medians and ratios).
#
#   bench/run.sh                      everything (first run: ~10 min, mostly generating the 1M-file trees)
#   bench/run.sh --only corpus peers  some sections;  bench/run.sh --help  for every option
#   bench/run.sh --smoke --bin target/debug/orb-scan   a few seconds, for CI
#
# Trees, the peers' virtualenv and report.md go to bench-out/ (git-ignored; BENCH_OUT or --out moves it).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "bench: installing ${missing[*]} (Debian packages)" >&2
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Build the binary that is shipped (the `dist` profile: fat LTO) unless another binary was named, the
# parse floor reference and the stage-by-stage cut of orb-scan (corpus section), and the readers'
# comparison (readers section).
if [[ " $* " != *" --bin "* ]]; then
    cargo build --profile dist --locked --quiet
fi
examples=()
[[ " $* " == *" --floor-bin "* ]] || examples+=(--example parse_floor)
[[ " $* " == *" --stages-bin "* ]] || examples+=(--example stages)
[[ " $* " == *" --readers-bin "* ]] || examples+=(--example readers)
if [[ " $* " != *" --smoke "* ]] && ((${#examples[@]})); then
    cargo build --profile dist --locked --quiet "${examples[@]}"
fi
exec python3 bench/bench.py "$@"
