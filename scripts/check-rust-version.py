#!/usr/bin/env python3
"""Fails when Cargo.toml's `rust-version` is lower than a locked dependency's.

The declared minimum must be at least the highest `rust-version` in the locked dependency graph
(every package `cargo metadata --locked` resolves, on every platform, build and dev dependencies
included): a lower one promises a build that fails. Cargo.toml's own number may be higher, for what
orb-scan's own code needs (clippy's `incompatible_msrv` checks the standard library calls against it).

Usage: scripts/check-rust-version.py [CARGO-METADATA-JSON]   (default: runs cargo metadata)
"""

import json
import subprocess
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))


def shown(numbers):
    return ".".join(map(str, numbers))


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            metadata = json.load(f)
    else:
        metadata = json.loads(subprocess.run(
            ["cargo", "metadata", "--locked", "--format-version", "1"],
            check=True, capture_output=True, text=True,
        ).stdout)
    members = set(metadata["workspace_members"])
    declared = {}
    needed = []
    for package in metadata["packages"]:
        if not package.get("rust_version"):
            continue
        number = version(package["rust_version"])
        if package["id"] in members:
            declared[package["name"]] = number
        else:
            needed.append((number, f"{package['name']} {package['version']}"))
    if not declared:
        sys.exit("check-rust-version: the workspace declares no rust-version")
    highest = max(number for number, _ in needed) if needed else (0,)
    why = sorted(name for number, name in needed if number == highest)
    failed = False
    for name, number in sorted(declared.items()):
        if number < highest:
            print(f"FAIL  {name}: rust-version = \"{shown(number)}\", but {', '.join(why)} "
                  f"need{'s' if len(why) == 1 else ''} Rust {shown(highest)}: declare \"{shown(highest)}\"")
            failed = True
        else:
            print(f"ok    {name}: rust-version {shown(number)} >= {shown(highest)}, "
                  f"the highest of {len(needed)} locked dependencies ({', '.join(why)})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
