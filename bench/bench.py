#!/usr/bin/env python3
"""orb-scan's benchmark harness: orb-scan side by side with reference commands, in one run, as ratios.

Run it through `bench/run.sh`, which installs ripgrep, hyperfine and GNU time and builds the release
binary first. Sections (all by default):

  monorepo  synthetic 100,000-file monorepo: orb-scan vs `rg --files`           target <= 1.5x
  corpus    the shared corpus (~1,990 real files): orb-scan vs `rg -c Statement` target <= 2x, with
            the parse floor beside them: walk like rg, read every file, parse every JSON file with
            serde_json on orb-scan's allocator (examples/parse_floor.rs), what any tool that judges
            policies pays first, and orb-scan cut short after parsing, after collecting and after
            checking (examples/stages.rs)
  readers   orb-scan's JSON and YAML readers against serde_json, simd-json and saphyr-parser on the
            corpus's files, in memory on one thread (examples/readers.rs): is parsing at its floor?
  peers     cfn-lint's IAM fixture templates: orb-scan vs cfn-lint and checkov   target >= 100x faster
  scaling   10k / 100k / 1M-file trees vs `rg --files`, peak RSS of each
  memory    peak RSS on the corpus (target <= 64 MB); from the 10k tree to a 1M-file tree holding as
            many real files, orb-scan's RSS may grow only as much as `rg --files`' does on the same
            trees, within 2 MB: 2 bytes per added file, where anything kept per file costs 24 or more
            (memory follows what is found, not the size of the tree)

Timings are hyperfine medians pooled over several rounds; each round runs every command of the section,
so a burst of load from elsewhere hits all of them. Peak RSS is the median of `/usr/bin/time -v` runs.
The report (Markdown, every command as run) is printed and saved to <out>/report.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import gen_monorepo  # noqa: E402

# The peers' versions measured in shared/research/peers.md; pinned so reruns compare like with like.
CFN_LINT = "cfn-lint==1.58.0"
CHECKOV = "checkov==3.3.30"
# checkov 3.3.30 crashes on this fixture (peers.md §3).
PEER_EXCLUDE = {"bad_resources_primary_identifiers.yaml"}
IAM_MARKERS = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::User",
               "AWS::IAM::Group", "PolicyDocument", "AssumeRolePolicyDocument")

SCALES = {"10k": (10_000, 200), "100k": (100_000, 2_000), "1M": (1_000_000, 20_000)}


@dataclass
class Timing:
    name: str
    command: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user+system, mean of each round
    exit_codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def spread(self) -> str:
        q = statistics.quantiles(self.times, n=4) if len(self.times) >= 4 else [min(self.times), 0, max(self.times)]
        return f"{ms(q[0])}–{ms(q[-1])}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


class Bench:
    def __init__(self, args):
        self.args = args
        self.out = Path(args.out).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.orb = str(Path(args.bin).resolve())
        self.lines: list[str] = []
        self.targets: list[tuple[str, str, bool]] = []
        self.loads: list[float] = []

    # ---- output -------------------------------------------------------------------------------
    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)

    def target(self, what: str, figure: str, ok: bool | None) -> None:
        """A row of the Targets table; `ok` is None for a figure shown beside the targets, not one."""
        self.targets.append((what, figure, ok))

    # ---- measuring ----------------------------------------------------------------------------
    def orb_cmd(self, *paths: str) -> list[str]:
        # The pre-commit hook's output: human, no colour. Exit 1 (findings) is expected.
        return [self.orb, *paths, "--format", "human", "--color", "never"]

    def hyperfine(self, commands: list[tuple[str, list[str]]], rounds: int, runs: int, warmup: int = 1,
                  cwd: Path | None = None, env: dict | None = None) -> dict[str, Timing]:
        result = {name: Timing(name, shlex.join(argv)) for name, argv in commands}
        for r in range(rounds):
            self.loads.append(float(loadavg()) if loadavg() != "?" else 0.0)
            with tempfile.NamedTemporaryFile(suffix=".json") as export:
                cmd = ["hyperfine", "-N", "-i", "--style", "none", "--warmup", str(warmup),
                       "--runs", str(runs), "--export-json", export.name]
                for name, argv in commands:
                    cmd += ["-n", name, shlex.join(argv)]
                run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd,
                                     env=env)
                if run.returncode != 0:
                    sys.exit(f"bench: hyperfine failed:\n{run.stderr}")
                data = json.load(open(export.name))
            for res in data["results"]:
                t = result[res["command"]]
                t.times += res["times"]
                t.cpu.append(res["user"] + res["system"])
                t.exit_codes.update(res.get("exit_codes") or [])
        return result

    def peak_rss(self, argv: list[str], runs: int, cwd: Path | None = None, env: dict | None = None) -> float:
        """Median peak RSS in MB over `runs` runs of `/usr/bin/time -v`."""
        peaks = []
        for _ in range(runs):
            with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
                subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *argv], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for line in report.read().splitlines():
                    if "Maximum resident set size" in line:
                        peaks.append(int(line.rsplit(":", 1)[1]) / 1024)
        return statistics.median(peaks)

    def table(self, timings: dict[str, Timing], reference: str, ours: str) -> float:
        ref = timings[reference].median
        # Cores busy on average (CPU ÷ wall): near the machine's count, a run is bound by the work it
        # does, not by waiting, and only less work makes it faster.
        self.say(f"| command | median wall | interquartile | CPU (user+sys) | cores busy | runs | ratio to {reference} |")
        self.say("|---|---|---|---|---|---|---|")
        for t in timings.values():
            self.say(f"| {t.name} | {ms(t.median)} | {t.spread()} | {ms(t.cpu_median)} | "
                     f"{t.cpu_median / t.median:.2f} | {len(t.times)} | {t.median / ref:.2f} |")
        self.say("\nExact commands (`hyperfine -N -i --warmup 1 --runs N` per round, all in one invocation):")
        for t in timings.values():
            self.say(f"- {t.name}: `{t.command}`")
        return timings[ours].median / ref

    def found(self, *paths: str) -> dict:
        """orb-scan's own summary of a tree (documents found), from its JSON output."""
        run = subprocess.run([self.orb, *paths, "--format", "json"], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"bench: orb-scan failed on {paths}: {run.stderr}")
        return json.loads(run.stdout)["summary"]

    # ---- inputs -------------------------------------------------------------------------------
    def tree(self, name: str, files: int, folders: int, real_files: int | None = None,
             real_share: float = 0.01) -> tuple[Path, dict]:
        out = self.out / name
        argv = ["--out", str(out), "--files", str(files), "--folders", str(folders),
                "--real-share", str(real_share), "--corpus", str(self.args.corpus)]
        if real_files is not None:
            argv += ["--real-files", str(real_files)]
        started = time.monotonic()
        manifest = gen_monorepo.generate(out, files, folders, self.args.corpus, real_share=real_share,
                                         real_files=real_files)
        took = time.monotonic() - started
        how = "reused" if manifest.get("reused") else f"generated in {took:.0f} s"
        self.say(f"Tree ({how}): `python3 bench/gen_monorepo.py {shlex.join(argv)}` → {manifest['counts']}\n")
        return out, manifest

    def venv(self) -> Path:
        venv = self.out / "venv"
        py = venv / "bin" / "python"
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        want = [CFN_LINT, CHECKOV]
        have = subprocess.run([str(py), "-m", "pip", "freeze"], capture_output=True, text=True).stdout.lower()
        if not all(w.lower() in have for w in want):
            subprocess.run([str(py), "-m", "pip", "install", "-q", *want], check=True)
        return venv

    def cfn_lint_fixtures(self, venv: Path) -> tuple[Path, list[Path]]:
        """cfn-lint's test templates with IAM blocks, flattened as in peers.md §3."""
        dest = self.out / "cfn-lint-iam-templates"
        if not dest.is_dir():
            sdist = self.out / "sdist"
            sdist.mkdir(exist_ok=True)
            if not list(sdist.glob("cfn_lint-*.tar.gz")):
                subprocess.run([str(venv / "bin" / "pip"), "download", "-q", "--no-deps", "--no-binary",
                                ":all:", "-d", str(sdist), CFN_LINT], check=True)
            archive = next(sdist.glob("cfn_lint-*.tar.gz"))
            staging = Path(tempfile.mkdtemp(dir=self.out))
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if "/test/fixtures/templates/" in m.name and m.isfile()]
                tar.extractall(staging, members=members, filter="data")
            for path in sorted(staging.rglob("*")):
                if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
                    continue
                rel = str(path).split("/test/fixtures/templates/", 1)[1]
                flat = rel.replace("/", "_")
                text = path.read_text(errors="replace")
                if flat in PEER_EXCLUDE or not any(m in text for m in IAM_MARKERS):
                    continue
                staging_dest = staging / "out"
                staging_dest.mkdir(exist_ok=True)
                shutil.copyfile(path, staging_dest / flat)
            (staging / "out").rename(dest)
            shutil.rmtree(staging)
        return dest, sorted(dest.iterdir())

    # ---- sections -----------------------------------------------------------------------------
    def section_monorepo(self) -> None:
        self.say("## Synthetic monorepo (100,000 files, 2,000 folders) vs `rg --files`")
        root, _ = self.tree("tree-100k", *SCALES["100k"])
        t = self.hyperfine([("rg --files", ["rg", "--files", str(root)]),
                            ("orb-scan", self.orb_cmd(str(root)))], self.args.rounds, self.args.runs)
        ratio = self.table(t, "rg --files", "orb-scan")
        self.say(f"\norb-scan found: {self.found(str(root))}\n")
        self.target("100k-file tree, orb-scan / `rg --files` (median wall)", f"{ratio:.2f} × (≤ 1.5)", ratio <= 1.5)

    def section_corpus(self) -> None:
        corpus = str(self.args.corpus)
        self.say(f"## Shared corpus ({corpus}) vs `rg -c Statement`")
        floor = "walk+read+serde_json"
        parse = "orb-scan, parse only"
        collect, check = "orb-scan, collect only", "orb-scan, collect and check"
        t = self.hyperfine([("rg -c Statement", ["rg", "-c", "Statement", corpus]),
                            (floor, [self.args.floor_bin, corpus]),
                            (parse, [self.args.stages_bin, "parse", corpus]),
                            (collect, [self.args.stages_bin, "collect", corpus]),
                            (check, [self.args.stages_bin, "check", corpus]),
                            ("orb-scan", self.orb_cmd(corpus))], self.args.rounds, self.args.runs)
        ratio = self.table(t, "rg -c Statement", "orb-scan")
        over_floor = t["orb-scan"].median / t[floor].median
        self.say(f"\n{floor} (`examples/parse_floor.rs`) walks like rg, reads every file and parses every JSON file "
                 "with serde_json: the least any tool that judges these policies pays before judging one. "
                 f"orb-scan takes {over_floor:.2f} × that.")
        self.say("\nWhere orb-scan's time goes (`examples/stages.rs`, the same library, allocator and threads, cut "
                 f"short): walking, reading and parsing with orb-scan's own readers {ms(t[parse].median)}; "
                 f"extracting policies (with the catalog action each entry names), templates and configs {ms(t[collect].median - t[parse].median)} more; checking (link deployments, judge actions, run the rules, sort) "
                 f"{ms(t[check].median - t[collect].median)} more; rendering {ms(t['orb-scan'].median - t[check].median)} "
                 "more (differences of medians).")
        self.say(f"\norb-scan found: {self.found(corpus)}\n")
        self.target("corpus, orb-scan / `rg -c Statement` (median wall)", f"{ratio:.2f} × (≤ 2)", ratio <= 2)
        self.target(f"corpus, {floor} / `rg -c Statement` (the parse floor)",
                    f"{t[floor].median / t['rg -c Statement'].median:.2f} ×", None)
        self.target(f"corpus, orb-scan / {floor}", f"{over_floor:.2f} ×", None)
        self.target(f"corpus, orb-scan collecting only / {floor}",
                    f"{t[collect].median / t[floor].median:.2f} ×", None)
        self.target("corpus, orb-scan / `rg -c Statement`, CPU time (user+sys)",
                    f"{t['orb-scan'].cpu_median / t['rg -c Statement'].cpu_median:.2f} ×", None)
        self.target("corpus, orb-scan / orb-scan parsing only, CPU time (user+sys)",
                    f"{t['orb-scan'].cpu_median / t[parse].cpu_median:.2f} ×", None)
        self.target("corpus, orb-scan parsing only / `rg -c Statement` (orb-scan's own floor)",
                    f"{t[parse].median / t['rg -c Statement'].median:.2f} ×", None)
        self.target("corpus, orb-scan / orb-scan parsing only",
                    f"{t['orb-scan'].median / t[parse].median:.2f} ×", None)

    def deployment_repo(self) -> tuple[Path, int]:
        """A repository the size a pre-commit hook sees: ORB's own configs and fixtures, with the first 20
        managed policies and the first 10 CloudFormation templates of the corpus by name beside them."""
        dest = self.out / "deployment"
        if not dest.is_dir():
            staging = Path(tempfile.mkdtemp(dir=self.out))
            if not (self.args.corpus / "orb").is_dir():
                sys.exit(f"bench: {self.args.corpus} has no orb/ folder of ORB configs for the deployment section")
            shutil.copytree(self.args.corpus / "orb", staging / "orb")
            for folder, take in (("managed-policies", 20), ("cfn-templates", 10)):
                files = sorted(p for p in (self.args.corpus / folder).rglob("*") if p.is_file())[:take]
                for path in files:
                    target = staging / folder / path.relative_to(self.args.corpus / folder)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target)
            staging.rename(dest)
        return dest, sum(1 for p in dest.rglob("*") if p.is_file())

    def section_deployment(self) -> None:
        repo, count = self.deployment_repo()
        empty = self.out / "empty"
        empty.mkdir(exist_ok=True)
        self.say(f"## A deployment repository ({count} files: ORB's own configs, 20 policies, 10 templates) vs "
                 "`rg -c Statement`")
        t = self.hyperfine([("rg -c Statement", ["rg", "-c", "Statement", str(repo)]),
                            ("orb-scan", self.orb_cmd(str(repo))),
                            ("rg -c Statement, empty folder", ["rg", "-c", "Statement", str(empty)]),
                            ("orb-scan, empty folder", self.orb_cmd(str(empty)))],
                           self.args.rounds, self.args.runs * 5)
        ratio = self.table(t, "rg -c Statement", "orb-scan")
        start = t["orb-scan, empty folder"].median / t["rg -c Statement, empty folder"].median
        self.say(f"\nThe size a pre-commit hook sees (`{repo}`, built by `Bench.deployment_repo`). The empty "
                 "folder is each tool's start-up; the rest of a run this size is the scan.\n")
        self.say(f"orb-scan found: {self.found(str(repo))}\n")
        self.target("deployment repository (pre-commit size), orb-scan / `rg -c Statement`", f"{ratio:.2f} ×", None)
        self.target("empty folder (start-up), orb-scan / `rg -c Statement`", f"{start:.2f} ×", None)

    def section_readers(self) -> None:
        corpus = str(self.args.corpus)
        self.say("## orb-scan's readers against the fastest parsers (one thread, files in memory)")
        argv = [self.args.readers_bin, corpus, "--rounds", str(self.args.rounds * 3), "--json"]
        self.loads.append(float(loadavg()) if loadavg() != "?" else 0.0)
        report = json.loads(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)
        rows = {r["reader"]: r for r in report["readers"]}
        self.say("| reader | files read | median | MB/s | × orb-scan's reader |")
        self.say("|---|---|---|---|---|")
        for r in report["readers"]:
            self.say(f"| {r['reader']} | {r['read']} of {r['files']} | {ms(r['median_s'])} | "
                     f"{r['bytes'] / r['median_s'] / 1e6:.0f} | {r['over_orb_scan']:.2f} |")
        self.say(f"\n`{shlex.join(argv[:-1])}` (`examples/readers.rs`): every JSON and YAML file of the corpus read "
                 "into memory, then parsed by each reader in alternating rounds; medians. orb-scan's readers keep "
                 "a span for every key and value, find duplicate keys and place errors; serde_json, simd-json and "
                 "saphyr's events keep no positions. simd-json picks AVX2 or SSE4.2 at run time and parses in "
                 "place (its input copies are made off the clock).\n")
        zero_copy = rows["simd-json into a borrowed value (zero-copy)"]["over_orb_scan"]
        events = rows["saphyr-parser events, no tree"]["over_orb_scan"]
        self.target("JSON, simd-json zero-copy (no spans) / orb-scan's reader (one thread)", f"{zero_copy:.2f} ×", None)
        self.target("YAML, saphyr-parser's events alone / orb-scan's reader (one thread)", f"{events:.2f} ×", None)

    def section_memory(self) -> None:
        corpus = str(self.args.corpus)
        self.say("## Peak memory (`/usr/bin/time -v`, median of runs)")
        rss = self.peak_rss(self.orb_cmd(corpus), self.args.rss_runs)
        self.say(f"- corpus: `/usr/bin/time -v {shlex.join(self.orb_cmd(corpus))}` → **{rss:.1f} MB**")
        self.target("corpus peak RSS", f"{rss:.1f} MB (≤ 64 MB)", rss <= 64)
        small, small_manifest = self.tree("tree-10k", *SCALES["10k"])
        files, folders = SCALES[self.args.sparse_scale]
        sparse, _ = self.tree(f"tree-{self.args.sparse_scale}-sparse", files, folders,
                              real_files=small_manifest["counts"]["real"])
        rss = {(who, tree): self.peak_rss(argv, self.args.rss_runs)
               for tree in (small, sparse)
               for who, argv in (("orb-scan", self.orb_cmd(str(tree))), ("rg --files", ["rg", "--files", str(tree)]))}
        growth = {who: rss[(who, sparse)] - rss[(who, small)] for who in ("orb-scan", "rg --files")}
        beyond_walk = growth["orb-scan"] - growth["rg --files"]
        self.say(f"- 10k-file tree with {small_manifest['counts']['real']} real files, then a "
                 f"{self.args.sparse_scale}-file tree with as many (same commands, peak RSS):")
        for who in ("orb-scan", "rg --files"):
            self.say(f"  - {who}: {rss[(who, small)]:.1f} MB → {rss[(who, sparse)]:.1f} MB "
                     f"({growth[who]:+.1f} MB)")
        self.say(f"- orb-scan's growth beyond the walk's (`rg --files`'): {beyond_walk:+.1f} MB\n")
        self.target(f"RSS growth, 10k → {self.args.sparse_scale} files with as many real files, beyond "
                    "`rg --files`' growth", f"{beyond_walk:+.1f} MB (≤ 2 MB)", beyond_walk <= 2)

    def section_scaling(self) -> None:
        self.say("## Scaling vs `rg --files` (1% real files at every size)")
        rows = []
        for label in self.args.scales:
            files, folders = SCALES[label]
            root, manifest = self.tree(f"tree-{label}", files, folders)
            big = files >= 1_000_000
            t = self.hyperfine([("rg --files", ["rg", "--files", str(root)]),
                                ("orb-scan", self.orb_cmd(str(root)))],
                               max(2, self.args.rounds // 2) if big else self.args.rounds,
                               2 if big else self.args.runs)
            rss_orb = self.peak_rss(self.orb_cmd(str(root)), self.args.rss_runs)
            rss_rg = self.peak_rss(["rg", "--files", str(root)], self.args.rss_runs)
            summary = self.found(str(root))
            docs = sum(summary["documents"].values())
            rows.append((label, t, rss_orb, rss_rg, docs, manifest["counts"]["real"]))
        self.say("| files | rg --files | orb-scan | ratio | orb-scan CPU | rg CPU | orb-scan peak RSS | rg peak RSS | real files | documents found |")
        self.say("|---|---|---|---|---|---|---|---|---|---|")
        for label, t, rss_orb, rss_rg, docs, real in rows:
            rg, orb = t["rg --files"], t["orb-scan"]
            self.say(f"| {label} | {ms(rg.median)} | {ms(orb.median)} | {orb.median / rg.median:.2f} | "
                     f"{ms(statistics.median(orb.cpu))} | {ms(statistics.median(rg.cpu))} | {rss_orb:.1f} MB | "
                     f"{rss_rg:.1f} MB | {real} | {docs} |")
        self.say("\nCommands: `rg --files TREE` and `" + shlex.join(self.orb_cmd("TREE")) + "`; "
                 "peak RSS by `/usr/bin/time -v` on the same commands.\n")

    def section_peers(self) -> None:
        self.say("## cfn-lint's IAM fixture templates vs cfn-lint and checkov")
        venv = self.venv()
        folder, templates = self.cfn_lint_fixtures(venv)
        env = dict(os.environ, BC_SKIP_MAPPING="TRUE", PATH=f"{venv / 'bin'}:{os.environ['PATH']}")
        files = [str(p) for p in templates]
        self.say(f"{len(templates)} templates in `{folder}` (test/fixtures/templates of the {CFN_LINT} sdist "
                 "that contain IAM blocks, flattened; the one checkov crashes on left out).\n")
        t = self.hyperfine([("orb-scan", self.orb_cmd(str(folder))),
                            ("cfn-lint", [str(venv / "bin" / "cfn-lint"), "--format", "json", *files]),
                            ("checkov", [str(venv / "bin" / "checkov"), "-d", str(folder), "--framework",
                                         "cloudformation", "--skip-download", "-o", "json"])],
                           rounds=self.args.peer_rounds, runs=self.args.peer_runs, env=env)
        self.table(t, "orb-scan", "orb-scan")
        speedup = t["cfn-lint"].median / t["orb-scan"].median
        self.say(f"\norb-scan found: {self.found(str(folder))}\n")
        self.target("cfn-lint / orb-scan on cfn-lint's IAM templates (median wall)", f"{speedup:.0f} × faster (≥ 100)",
                    speedup >= 100)
        self.target("checkov / orb-scan on the same templates", f"{t['checkov'].median / t['orb-scan'].median:.0f} × faster",
                    None)

    def section_smoke(self) -> None:
        """A few seconds: generator, hyperfine, time -v and the report all exercised on a tiny tree."""
        self.say("## Smoke run (tiny tree; figures mean nothing)")
        root, manifest = self.tree("tree-smoke", 2_000, 40, real_share=0.05)
        t = self.hyperfine([("rg --files", ["rg", "--files", str(root)]),
                            ("orb-scan", self.orb_cmd(str(root)))], rounds=1, runs=2)
        self.table(t, "rg --files", "orb-scan")
        rss = self.peak_rss(self.orb_cmd(str(root)), 1)
        summary = self.found(str(root))
        self.say(f"\npeak RSS {rss:.1f} MB; planted {manifest['counts']}; found {summary}")
        planted = manifest["counts"]["real_policies"]
        ok = planted > 0 and summary["documents"]["policies"] >= planted and rss > 0
        self.target("smoke: every planted managed policy found", f"{summary['documents']['policies']} ≥ {planted}", ok)

    # ---- driver -------------------------------------------------------------------------------
    def environment(self) -> None:
        version = subprocess.run([self.orb, "--version"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        tools = [subprocess.run([t, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                 for t in ("rg", "hyperfine")]
        self.say("# orb-scan benchmarks")
        self.say(f"- {version} at {commit or '?'}, binary `{self.orb}`")
        self.say(f"- {platform.platform()}, {os.cpu_count()} CPUs, load average {loadavg()} at start")
        self.say(f"- {'; '.join(tools)}; page cache warm (each hyperfine round has a warm-up run)")
        if not self.args.smoke:
            self.say(f"- rounds × runs per command: {self.args.rounds} × {self.args.runs}")
        self.say()

    def run(self) -> int:
        self.environment()
        started = time.monotonic()
        sections = ["smoke"] if self.args.smoke else self.args.only
        for name in sections:
            getattr(self, f"section_{name}")()
        self.say("## Targets")
        self.say("| target | figure | met |")
        self.say("|---|---|---|")
        for what, figure, ok in self.targets:
            met = "—" if ok is None else "yes" if ok else "**no**"
            self.say(f"| {what} | {figure} | {met} |")
        loads = f"{min(self.loads):.1f}–{max(self.loads):.1f}" if self.loads else "?"
        self.say(f"\nLoad average seen at the start of each round: {loads} on {os.cpu_count()} CPUs "
                 f"(anything above 0.5 means other work shared the machine). Took {time.monotonic() - started:.0f} s.")
        (self.out / "report.md").write_text("\n".join(self.lines) + "\n")
        print(f"\n(saved to {self.out / 'report.md'})")
        if self.args.smoke or self.args.check:
            return 0 if all(ok is not False for _, _, ok in self.targets) else 1
        return 0


def main(argv=None) -> int:
    sections = ["monorepo", "corpus", "deployment", "readers", "memory", "peers", "scaling"]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO / "target" / "dist" / "orb-scan"), help="orb-scan binary")
    ap.add_argument("--floor-bin", default=str(REPO / "target" / "dist" / "examples" / "parse_floor"),
                    help="the parse floor reference (cargo build --profile dist --example parse_floor)")
    ap.add_argument("--stages-bin", default=str(REPO / "target" / "dist" / "examples" / "stages"),
                    help="orb-scan cut short after parsing, collecting or checking (cargo build --profile dist --example stages)")
    ap.add_argument("--readers-bin", default=str(REPO / "target" / "dist" / "examples" / "readers"),
                    help="orb-scan's readers against other parsers (cargo build --profile dist --example readers)")
    ap.add_argument("--out", default=os.environ.get("BENCH_OUT", str(REPO / "bench-out")),
                    help="where trees, the peers' venv and report.md go (default: bench-out/, git-ignored)")
    ap.add_argument("--corpus", type=Path,
                    default=Path(os.environ.get("ORB_SCAN_CORPUS", REPO.parent / "shared" / "corpus")))
    ap.add_argument("--only", nargs="+", choices=sections, default=sections, help="sections to run")
    ap.add_argument("--scales", nargs="+", choices=list(SCALES), default=list(SCALES))
    ap.add_argument("--sparse-scale", choices=list(SCALES), default="1M",
                    help="size of the tree that holds only as many real files as the 10k tree")
    ap.add_argument("--rounds", type=int, default=5, help="hyperfine invocations per section")
    ap.add_argument("--runs", type=int, default=4, help="timed runs per command per round")
    ap.add_argument("--peer-rounds", type=int, default=2)
    ap.add_argument("--peer-runs", type=int, default=2)
    ap.add_argument("--rss-runs", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="a few seconds on a tiny tree, for CI")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    sample = REPO / "testdata" / "corpus"
    if args.smoke and not args.corpus.is_dir():
        # A fresh clone has no shared corpus beside it: the smoke run plants the vendored sample.
        print(f"bench: {args.corpus} is absent; the smoke run uses {sample}", file=sys.stderr)
        args.corpus = sample
    if not args.corpus.is_dir():
        sys.exit("bench: no corpus; pass --corpus or set ORB_SCAN_CORPUS")
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
