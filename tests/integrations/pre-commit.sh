#!/usr/bin/env bash
# The hooks of .pre-commit-hooks.yaml through the real pre-commit framework: in a repository with a
# finding each hook must fail and print it, in a clean one it must pass.
#
# `language: rust` makes pre-commit build orb-scan with `cargo install` (a release build). try-repo
# gives every call a fresh hook store, so each call installs again; a shared CARGO_TARGET_DIR lets the
# second install reuse the compiled dependencies.
# `language: system` runs the orb-scan found on PATH: the debug build of this checkout.
# From PyPI: README's `repo: local` hook with `language: python` and `orb-scan==VERSION` as its
# dependency, copied from README.md, installed by pre-commit's pip from WHEEL-DIR only (no index):
# the wheel built from this checkout, and the setuptools pre-commit's placeholder package needs.
#
# Usage: tests/integrations/pre-commit.sh PRE-COMMIT ORB-SCAN-DIR [WHEEL-DIR]
#   PRE-COMMIT    the pre-commit executable (e.g. from a virtualenv with `pip install pre-commit`)
#   ORB-SCAN-DIR  a folder holding the orb-scan binary for the system hook
#   WHEEL-DIR     a folder holding the orb-scan wheel and a setuptools wheel (else that hook is skipped)
set -euo pipefail
pre_commit="$1"
bin_dir="$(cd "$2" && pwd)"
wheel_dir="${3:+$(cd "$3" && pwd)}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="$work/hook-build"
# Whatever colour the caller's terminal wants, the assertions read plain text.
export NO_COLOR=1
unset CLICOLOR_FORCE GITHUB_ACTIONS

rev="$(git -C "$repo" rev-parse HEAD)"
if [[ -n "$(git -C "$repo" status --porcelain -- .pre-commit-hooks.yaml Cargo.toml Cargo.lock src data)" ]]; then
  echo "note: pre-commit tries commit $rev; uncommitted changes in this checkout are not part of it" >&2
fi

fixture_repo() { # NAME SOURCE-FOLDER
  local dir="$work/$1"
  cp -R "$2" "$dir"
  git -C "$dir" init -q
  git -C "$dir" add -A
  git -C "$dir" -c user.name=orb-scan-ci -c user.email=ci@orb-scan.invalid commit -qm fixture
  printf '%s\n' "$dir"
}
finding="$(fixture_repo finding "$repo/testdata/rules/ORB105/trigger")"
clean="$(fixture_repo clean "$repo/testdata/rules/ORB105/clean")"

passed=0
failed=0
try_hook() { # HOOK-ID REPOSITORY EXPECTED-STATUS [PATH-PREFIX]
  local hook="$1" dir="$2" expected="$3" out status=0
  out="$(cd "$dir" && PATH="${4:-}$PATH" "$pre_commit" try-repo "$repo" "$hook" \
    --ref "$rev" --all-files --color never 2>&1)" || status=$?
  judge "$hook" "$dir" "$expected" "$status" "$out"
}

judge() { # HOOK REPOSITORY EXPECTED-STATUS STATUS OUTPUT
  local hook="$1" dir="$2" expected="$3" status="$4" out="$5"
  printf '%s\n' "$out" | sed 's/^/    | /'
  local problem=""
  if [[ $status -ne $expected ]]; then
    problem="exited $status, expected $expected"
  elif [[ $expected -ne 0 ]] && ! grep -q 'error\[ORB105\]' <<<"$out"; then
    problem="did not print the ORB105 finding"
  elif [[ $expected -eq 0 ]] && ! grep -Eq '^orb-scan\.+Passed' <<<"$out"; then
    problem="did not report Passed"
  fi
  if [[ -n $problem ]]; then
    echo "FAIL  $hook in the $(basename "$dir") repository: $problem"
    failed=$((failed + 1))
  else
    echo "ok    $hook in the $(basename "$dir") repository"
    passed=$((passed + 1))
  fi
}

# README's PyPI hook: the YAML block that follows its `# .pre-commit-config.yaml: from PyPI` line.
try_pypi_hook() { # REPOSITORY EXPECTED-STATUS
  local dir="$1" expected="$2" out status=0
  awk '/^# \.pre-commit-config\.yaml: from PyPI/ { on = 1 } on && /^```/ { exit } on' "$repo/README.md" \
    > "$dir/.pre-commit-config.yaml"
  grep -q 'language: python' "$dir/.pre-commit-config.yaml" || { echo "FAIL  README has no PyPI hook"; failed=$((failed + 1)); return; }
  git -C "$dir" add .pre-commit-config.yaml
  out="$(cd "$dir" && PRE_COMMIT_HOME="$work/pre-commit-home" PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheel_dir" \
    "$pre_commit" run --all-files --color never 2>&1)" || status=$?
  judge "orb-scan (PyPI, language: python)" "$dir" "$expected" "$status" "$out"
}

try_hook orb-scan "$finding" 1
try_hook orb-scan "$clean" 0
try_hook orb-scan-system "$finding" 1 "$bin_dir:"
try_hook orb-scan-system "$clean" 0 "$bin_dir:"
if [[ -n $wheel_dir ]]; then
  try_pypi_hook "$finding" 1
  try_pypi_hook "$clean" 0
else
  echo "skip  the PyPI hook: no wheel folder given"
fi

echo "pre-commit hooks: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
