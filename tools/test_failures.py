#!/usr/bin/env python3
"""Print the failed tests of a pytest JUnit XML report, a few lines each.

`make molecule` calls it when a scenario fails, so that the failing test and
its message end the output: CI logs are often read from their tail only.
"""

import sys
import xml.etree.ElementTree as ET

MAX_CASES, MAX_CHARS = 8, 600


def failures(path):
    """(test id, message) of every failed or erroring test case in the report."""
    found = []
    for case in ET.parse(path).getroot().iter("testcase"):
        for outcome in ("failure", "error"):
            node = case.find(outcome)
            if node is not None:
                test = f"{case.get('classname', '')}::{case.get('name', '')}"
                lines = (node.text or "").strip().splitlines()
                found.append((f"{'FAILED' if outcome == 'failure' else 'ERROR'} {test}", node.get("message") or (lines[-1] if lines else "")))
    return found


def main(path, scenario):
    try:
        found = failures(path)
    except (OSError, ET.ParseError) as exc:
        print(f"[test] scenario {scenario} failed before or outside a pytest verify (no report: {exc.__class__.__name__})")
        return
    if not found:
        print(f"[test] scenario {scenario} failed outside its pytest verify: its last verify passed")
        return
    print(f"[test] scenario {scenario} failed: {len(found)} test(s) of its last verify")
    for test, message in found[:MAX_CASES]:
        flat = " ".join(message.split())
        print(f"[test] {test}: {flat[:MAX_CHARS]}{'…' if len(flat) > MAX_CHARS else ''}")
    if len(found) > MAX_CASES:
        print(f"[test] … and {len(found) - MAX_CASES} more in {path}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
