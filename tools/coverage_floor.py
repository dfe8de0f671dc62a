"""Fail when a file under the given prefixes has less line coverage than the floor.

    coverage_floor.py REPORT.json FLOOR PREFIX...

REPORT.json is coverage.py's JSON report (pytest --cov-report=json:...). Paths
are compared relative to the repository, so the collection may be imported
through .build/collections' link or from the checkout.
"""

import json
import os
import sys


def main(report, floor, prefixes):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(report, encoding="utf-8") as f:
        files = json.load(f)["files"]
    checked, low = 0, []
    for path, data in sorted(files.items()):
        rel = os.path.relpath(os.path.realpath(os.path.join(top, path)), top)
        if not rel.startswith(tuple(prefixes)):
            continue
        checked += 1
        percent = data["summary"]["percent_covered"]
        if percent < floor:
            low.append(f"{rel}: {percent:.1f} %")
    if not checked:
        print(f"coverage floor: no file under {', '.join(prefixes)} in {report}")
        return 1
    if low:
        print(f"coverage floor {floor} % not met:\n  " + "\n  ".join(low))
        return 1
    print(f"coverage floor: {checked} files under {', '.join(prefixes)} at {floor} % or more")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]), sys.argv[3:]))
