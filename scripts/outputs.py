#!/usr/bin/env python3
"""Record everything an orb-scan binary prints over the test inputs, to compare two builds byte for byte.

For every input folder (the corpus in ../shared/corpus and each of its top folders when present; testdata/,
each scenario folder under it and each rule fixture), it runs the binary in every output format (human
with and without colour, concise, json, sarif, github), `--diff` (what --fix would change), and each
subcommand the binary has (inventory, policy, needs) in each of its formats; then `rules`, `rule CODE` for
every code, `--version`, `--help`, and each file of a rule fixture read from standard input. Each run's standard output, standard error and exit status are saved
under OUT/, one file each, so two recordings compare with `diff -r`.

    python3 scripts/outputs.py record BIN OUT
    python3 scripts/outputs.py compare BEFORE_BIN AFTER_BIN [--keep DIR]

Runs happen in the repository root with a fixed environment, so paths print the same for both binaries
(SARIF's base URI is the folder a run happens in). Nothing is written to the inputs: `--fix` is exercised
through `--diff`. Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["human", "concise", "json", "sarif", "github"]
SUBCOMMANDS = ["inventory", "policy", "needs"]
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": "/nonexistent"}


def inputs() -> list[str]:
    """The folders to scan, relative to the repository root."""
    found: list[str] = []
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        found.append("../shared/corpus")
        found += [f"../shared/corpus/{d.name}" for d in sorted(corpus.iterdir()) if d.is_dir()]
    else:
        print("../shared/corpus is absent: testdata/ only", file=sys.stderr)
    testdata = ROOT / "testdata"
    found.append("testdata")
    for group in sorted(d for d in testdata.iterdir() if d.is_dir()):
        found.append(str(group.relative_to(ROOT)))
        for case in sorted(d for d in group.iterdir() if d.is_dir()):
            found.append(str(case.relative_to(ROOT)))
            if group.name == "rules":
                found += [str(d.relative_to(ROOT)) for d in sorted(case.iterdir()) if d.is_dir()]
    return found


def run(binary: str, args: list[str], stdin: Path | None = None) -> tuple[bytes, bytes, int]:
    # argv[0] is "orb-scan" whatever the file is called: --help prints it.
    with open(stdin or os.devnull, "rb") as given:
        done = subprocess.run(
            ["orb-scan", *args], executable=binary, cwd=ROOT, env=ENV, stdin=given,
            capture_output=True, timeout=600,
        )
    return done.stdout, done.stderr, done.returncode


def formats_of(binary: str, subcommand: str) -> list[str] | None:
    """The --format values a subcommand accepts, or None when the binary lacks it."""
    commands = run(binary, ["-h"])[0].split(b"Commands:", 1)[-1].split(b"\n\n", 1)[0]
    if not re.search(rb"^  " + subcommand.encode() + rb" ", commands, re.M):
        return None
    out = run(binary, [subcommand, "-h"])[0].decode()
    block = re.search(r"--format <FORMAT>\n(.*?)\n\s*-", out, re.S)
    values = block and re.search(r"\[possible values: ([^\]]*)\]", block.group(1))
    return [v.strip() for v in values.group(1).split(",") if v.strip() != "auto"] if values else []


def runs(binary: str) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every run; `-` reads the file named by --stdin-filename."""
    plan: list[tuple[str, list[str]]] = [
        ("version", ["--version"]),
        ("help", ["--help"]),
        ("rules", ["rules"]),
    ]
    codes = re.findall(rb"^(ORB\d+)", run(binary, ["rules"])[0], re.M)
    plan += [(f"rule-{c.decode()}", ["rule", c.decode()]) for c in codes]
    subcommands = {s: formats_of(binary, s) for s in SUBCOMMANDS}
    for folder in inputs():
        slug = folder.replace("../shared/", "shared/").replace("/", "__")
        for f in FORMATS:
            plan.append((f"{slug}/{f}", [folder, "--format", f, "--color", "never"]))
        plan.append((f"{slug}/human-color", [folder, "--format", "human", "--color", "always"]))
        plan.append((f"{slug}/diff", [folder, "--diff", "--color", "never"]))
        for sub, formats in subcommands.items():
            for f in formats or []:
                plan.append((f"{slug}/{sub}-{f}", [sub, folder, "--format", f]))
            if formats == []:
                plan.append((f"{slug}/{sub}", [sub, folder]))
    # standard input: each file a rule fixture holds at its top, read with `-`
    for path in sorted((ROOT / "testdata" / "rules").glob("*/*/*")):
        if path.is_file():
            shown = str(path.relative_to(ROOT))
            slug = shown.replace("/", "__")
            plan.append((f"stdin/{slug}", ["-", "--stdin-filename", shown, "--format", "json"]))
    return plan


def record(binary: str, out: Path, jobs: int) -> int:
    binary = str(Path(binary).resolve())
    plan = runs(binary)
    out.mkdir(parents=True, exist_ok=True)

    def one(item: tuple[str, list[str]]) -> None:
        name, args = item
        stdin = ROOT / args[args.index("--stdin-filename") + 1] if args[0] == "-" else None
        stdout, stderr, status = run(binary, args, stdin)
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (target.parent / f"{target.name}.args").write_text(" ".join(args) + "\n")
        (target.parent / f"{target.name}.stdout").write_bytes(stdout)
        (target.parent / f"{target.name}.stderr").write_bytes(stderr)
        (target.parent / f"{target.name}.status").write_text(f"{status}\n")

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, plan))
    print(f"{len(plan)} runs of {binary} recorded in {out}")
    return len(plan)


def compare(before: str, after: str, keep: Path | None, jobs: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        base = keep or Path(scratch)
        record(before, base / "before", jobs)
        record(after, base / "after", jobs)
        done = subprocess.run(["diff", "-r", "-q", str(base / "before"), str(base / "after")],
                              capture_output=True, text=True)
        if done.returncode == 0:
            files = sum(1 for _ in (base / "before").rglob("*") if _.is_file())
            print(f"byte-identical: {files} files")
            return 0
        print(done.stdout, end="")
        differing = done.stdout.count("\n")
        print(f"{differing} files differ")
        if keep is None:
            subprocess.run(["diff", "-r", str(base / "before"), str(base / "after")])
        return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record one binary's outputs")
    rec.add_argument("binary")
    rec.add_argument("out", type=Path)
    cmp_ = sub.add_parser("compare", help="record two binaries and diff the recordings")
    cmp_.add_argument("before")
    cmp_.add_argument("after")
    cmp_.add_argument("--keep", type=Path, help="keep both recordings in this folder")
    for p in (rec, cmp_):
        p.add_argument("-j", "--jobs", type=int, default=2, help="runs at a time (default 2)")
    args = parser.parse_args(argv)
    if args.command == "record":
        record(args.binary, args.out, args.jobs)
        return 0
    return compare(args.before, args.after, args.keep, args.jobs)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
