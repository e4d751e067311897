#!/usr/bin/env python3
"""The PyPI wheel maturin built from this checkout: its metadata, then installed the three ways the
README gives (pip into a clean virtualenv, `pipx run`, `uvx`), never from an index, and run.

Usage: wheel.py WHEEL [PIPX UV]   (PIPX and UV: their executables; without them those two are skipped
                                   and say so)
"""

import os
import re
import subprocess
import sys
import tempfile
import venv
import zipfile
from email.parser import HeaderParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CARGO = (REPO / "Cargo.toml").read_text()
VERSION = re.search(r'^version = "(.*)"$', CARGO, re.M).group(1)
DESCRIPTION = re.search(r'^description = "(.*)"$', CARGO, re.M).group(1)
FINDING = REPO / "testdata/rules/ORB105/trigger"
CLEAN = REPO / "testdata/rules/ORB105/clean"

results = []


def check(name, test):
    try:
        test()
        results.append(True)
        print(f"ok    {name}")
    except Exception as e:  # a KeyError is as much a failure as an assertion
        results.append(False)
        print(f"FAIL  {name}: {e}")


def run(command, cwd=REPO, env=None):
    return subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def runs_like_orb_scan(command, env=None):
    """`command` is an orb-scan: its version, a finding (exit 1) and a clean repository (exit 0)."""
    done = run([*command, "--version"], env=env)
    assert done.returncode == 0 and done.stdout.startswith(f"orb-scan {VERSION} "), (done.stdout, done.stderr)
    done = run([*command, FINDING, "--format", "concise"], env=env)
    assert done.returncode == 1 and "error[ORB105]" in done.stdout, (done.returncode, done.stdout, done.stderr)
    done = run([*command, CLEAN, "--fail-on", "note"], env=env)
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def main():
    wheel = Path(sys.argv[1]).resolve()
    pipx, uv = (sys.argv[2:4] + [None, None])[:2]
    work = Path(tempfile.mkdtemp())
    # Nothing may come from an index: only the wheel under test.
    offline = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", UV_OFFLINE="1",
                   PIPX_HOME=str(work / "pipx"), PIPX_BIN_DIR=str(work / "pipx-bin"),
                   UV_CACHE_DIR=str(work / "uv-cache"), UV_TOOL_DIR=str(work / "uv-tools"))

    def metadata():
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            meta = HeaderParser().parsestr(z.read(f"orb_scan-{VERSION}.dist-info/METADATA").decode())
        assert f"orb_scan-{VERSION}.data/scripts/orb-scan" in names, names
        assert (meta["Name"], meta["Version"]) == ("orb-scan", VERSION), (meta["Name"], meta["Version"])
        assert meta["Summary"] == DESCRIPTION, meta["Summary"]
        assert meta["License"] == "Apache-2.0" or meta["License-Expression"] == "Apache-2.0", meta.items()
        assert meta["Description-Content-Type"].startswith("text/markdown"), meta["Description-Content-Type"]
        assert meta.get_payload().lstrip().startswith("# orb-scan"), "the README is the description"
        assert f"orb_scan-{VERSION}.dist-info/licenses/LICENSE" in names, names

    def pip_into_a_clean_virtualenv():
        env_dir = work / "venv"
        venv.create(env_dir, with_pip=True)
        done = run([env_dir / "bin/python", "-m", "pip", "install", "--quiet", wheel], env=offline)
        assert done.returncode == 0, done.stderr
        runs_like_orb_scan([env_dir / "bin/orb-scan"])
        done = run([env_dir / "bin/python", "-m", "pip", "show", "orb-scan"])
        assert f"Version: {VERSION}" in done.stdout, done.stdout

    check(f"wheel metadata ({wheel.name})", metadata)
    check("pip install into a clean virtualenv, then run", pip_into_a_clean_virtualenv)
    if pipx:
        check("pipx run", lambda: runs_like_orb_scan([pipx, "run", "--spec", wheel, "orb-scan"], env=offline))
    else:
        print("skip  pipx run: no pipx given")
    if uv:
        check("uvx", lambda: runs_like_orb_scan([uv, "tool", "run", "--offline", "--from", wheel, "orb-scan"], env=offline))
    else:
        print("skip  uvx: no uv given")
    failed = results.count(False)
    print(f"wheel: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
