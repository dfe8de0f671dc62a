#!/usr/bin/env bash
# The collection's alert rules checked (`promtool check rules`) and unit-tested
# (`promtool test rules`, tests/prometheus/) by the promtool of Debian's
# prometheus package, unpacked under .build once (no daemon installed).
#   bash tools/promtool.sh               (make metrics)
#   bash tools/promtool.sh ARGS...       promtool ARGS
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
promtool=$(bash "$top/tools/debian_package.sh" prometheus)/usr/bin/promtool
cd "$top"
if [ "$#" -gt 0 ]; then exec "$promtool" "$@"; fi
"$promtool" --version | head -1
"$promtool" check rules roles/director/files/prometheus/*.yml
"$promtool" test rules tests/prometheus/*.test.yml
