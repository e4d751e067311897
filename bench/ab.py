#!/usr/bin/env python3
"""Commands run in alternation on one machine: for telling whether a change to orb-scan made it faster.

    python3 bench/ab.py "/tmp/orb-scan-before ../shared/corpus -o /dev/null" \\
                        "target/dist/orb-scan ../shared/corpus -o /dev/null"

Each round runs every command once, forward on even rounds and backward on odd ones, so a drift in the
machine's load falls on all of them alike (a busy VM moves a whole run by more than most changes do).
For each command it prints the medians of wall time, user and system CPU, minor page faults and peak
RSS (the kernel's accounting of the child, from wait4), and its median wall time over the first
command's. Output goes to /dev/null; exit codes are shown, not judged (orb-scan exits 1 on findings).

The kernel carries the launcher's peak over exec, and the launcher here is this Python process: a child
that stays smaller than it shows Python's peak. So the launcher's own floor is measured first (with
`true`) and a peak at or under it is printed as "≤ floor"; use `/usr/bin/time -v` for those.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class Runs:
    command: str
    argv: list[str] = field(init=False)
    wall: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)
    faults: list[int] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    exit_codes: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.argv = shlex.split(self.command)

    def run_once(self, measured: bool = True) -> None:
        start = time.perf_counter()
        child = subprocess.Popen(self.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if not measured:
            return
        self.wall.append(time.perf_counter() - start)
        self.user.append(usage.ru_utime)
        self.system.append(usage.ru_stime)
        self.faults.append(usage.ru_minflt)
        self.rss_kb.append(usage.ru_maxrss)
        self.exit_codes.add(os.waitstatus_to_exitcode(status))


def launcher_floor_kb() -> int:
    """The peak RSS every child of this process shows at least: that of a child that uses next to none."""
    true = Runs(shutil.which("true") or "/bin/true")
    for _ in range(3):
        true.run_once()
    return max(true.rss_kb)


def peak(rss_kb: float, floor_kb: int) -> str:
    # Within a page or two of the floor, the child's own peak is hidden under the launcher's.
    if rss_kb <= floor_kb + 16:
        return f"≤ {floor_kb / 1024:.1f} MB (launcher floor)"
    return f"{rss_kb / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commands", nargs="+", help="each command as one shell-quoted string")
    parser.add_argument("--rounds", type=int, default=40, help="rounds; each runs every command once (40)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured rounds first, to warm the page cache (2)")
    args = parser.parse_args(argv)

    runs = [Runs(command) for command in args.commands]
    for _ in range(args.warmup):
        for r in runs:
            r.run_once(measured=False)
    for round_number in range(args.rounds):
        for r in runs if round_number % 2 == 0 else reversed(runs):
            r.run_once()

    median = statistics.median
    floor_kb = launcher_floor_kb()
    first = median(runs[0].wall)
    print("| median wall | × first | user | sys | minor faults | peak RSS | exit | command |")
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {median(r.wall) * 1e3:.2f} ms | {median(r.wall) / first:.3f} | {median(r.user) * 1e3:.1f} ms "
              f"| {median(r.system) * 1e3:.1f} ms | {median(r.faults):.0f} | {peak(median(r.rss_kb), floor_kb)} "
              f"| {','.join(map(str, sorted(r.exit_codes)))} | `{r.command}` |")
    print(f"\n{args.rounds} rounds after {args.warmup} warm-up, order alternating; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
