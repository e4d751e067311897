#!/usr/bin/env bash
# The conformance suite in one command: builds (or reuses) a virtualenv with orb-py and moto from PyPI,
# builds orb-scan, and runs ORB's real CLI against moto under the policy orb-scan writes.
#
#   conformance/run.sh [--orb-version X] [--matrix baseline|drop-one|all] [--bin PATH] [suite options]
#
# --orb-version defaults to the release data/orb-requirements.toml describes (`conformance_release`).
#
# Suite options (conformance/suite.py --help): --scenario GLOB, -j N (at most 2), --write-report, --json FILE.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
# The release the committed report and the requirements table describe.
orb_version="$(sed -n 's/^conformance_release = "\(.*\)"$/\1/p' "$repo/data/orb-requirements.toml")"
bin=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --orb-version) orb_version="$2"; shift 2 ;;
    --orb-version=*) orb_version="${1#*=}"; shift ;;
    --bin) bin="$2"; shift 2 ;;
    --bin=*) bin="${1#*=}"; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
case "$orb_version" in
  *[!0-9.]*|"") echo "conformance: --orb-version takes a release number such as 1.8.5" >&2; exit 2 ;;
esac

target_dir="$(cd "$repo" && cargo metadata --format-version 1 --no-deps --locked \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
venv="$target_dir/conformance/venv-$orb_version"
stamp="$venv/.installed"
wanted="$(cat "$here/requirements.txt" "$here/constraints.txt"; echo "orb-py==$orb_version")"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "conformance: installing orb-py $orb_version and moto into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  pip=("$venv/bin/pip" install --quiet --disable-pip-version-check)
  # Another orb-py release may need other versions of what constraints.txt pins for 1.8.5: then its
  # own resolution is used, and the report names the versions it ran with.
  if ! "${pip[@]}" -r "$here/requirements.txt" -c "$here/constraints.txt" "orb-py==$orb_version"; then
    echo "conformance: orb-py $orb_version does not install under constraints.txt; resolving afresh" >&2
    "${pip[@]}" -r "$here/requirements.txt" "orb-py==$orb_version"
  fi
  printf '%s' "$wanted" > "$stamp"
fi

if [ -z "$bin" ]; then
  (cd "$repo" && cargo build --locked --quiet)
  bin="$target_dir/debug/orb-scan"
fi
export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" "$here/suite.py" --orb-scan "$bin" "${args[@]}"
