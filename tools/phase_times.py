#!/usr/bin/env python3
"""Run one `molecule test`, pass its output through, and time each action.

    phase_times.py REPORT -- molecule test -s NAME --no-command-borders

Molecule prints `[NAME > ACTION] Executing` when an action starts (with
--no-command-borders the output streams, so the arrival time is the start).
Each action's wall time is appended to REPORT as `scenario<TAB>action<TAB>seconds<TAB>strategy`,
and `--summary REPORT` prints the table `make molecule` ends with: every later
change to the suite is judged by these numbers.
"""

import os
import re
import subprocess
import sys
import time

ACTION = re.compile(r"\[(?P<scenario>[\w.-]+) > (?P<action>[\w-]+)\] Executing")


def run(report, command):
    """Run `command`, streaming its output; return its exit code."""
    strategy = os.environ.get("ANSIBLE_STRATEGY") or "linear"
    rows, current, start = [], None, time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in proc.stdout:
        sys.stdout.write(line)
        match = ACTION.search(line)
        if match:
            now = time.monotonic()
            if current:
                rows.append((*current, now - start))
            current, start = (match["scenario"], match["action"]), now
    status = proc.wait()
    if current:
        rows.append((*current, time.monotonic() - start))
    os.makedirs(os.path.dirname(report) or ".", exist_ok=True)
    with open(report, "a", encoding="utf-8") as out:
        for scenario, action, seconds in rows:
            if seconds >= 0.5:   # molecule's bookkeeping steps (dependency, cleanup) take nothing
                out.write(f"{scenario}\t{action}\t{seconds:.0f}\t{strategy}\n")
    return status


def summary(report):
    """The table of every timed action, a total per scenario and for the run."""
    try:
        with open(report, encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    except OSError:
        return
    print(f"\n[test] where the lab's minutes went ({report})")
    print(f"{'scenario':<14}{'action':<14}{'seconds':>8}  strategy")
    totals = {}
    for scenario, action, seconds, strategy in rows:
        print(f"{scenario:<14}{action:<14}{seconds:>8}  {strategy}")
        totals[scenario] = totals.get(scenario, 0) + int(seconds)
    for scenario, seconds in totals.items():
        print(f"{scenario:<14}{'total':<14}{seconds:>8}  ({seconds / 60:.1f} min)")
    print(f"{'all':<14}{'total':<14}{sum(totals.values()):>8}  ({sum(totals.values()) / 60:.1f} min)")


def main(argv):
    if len(argv) == 2 and argv[0] == "--summary":
        summary(argv[1])
        return 0
    if len(argv) < 3 or argv[1] != "--":
        sys.exit(__doc__)
    return run(argv[0], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
