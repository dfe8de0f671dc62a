#!/usr/bin/env bash
# The idempotent re-converge of the default scenario's cluster (2 directors,
# 2 real servers, a client: lab_web + site.yml, changed=0 expected), timed with
# ansible-core's own executor and with mitogen's strategy, RUNS times each, in turn.
#
#   source lab/.state/env && bash bench/reconverge.sh [RUNS]     (default 3)
#   BENCH_STRATEGIES=mitogen_linear bash bench/reconverge.sh 5   (one strategy only)
#
# Creates and converges the cluster first unless it is already converged
# (BENCH_KEEP=1 leaves it up afterwards). Each figure is the wall time of one
# `molecule idempotence -s default`: the converge playbook run again plus
# molecule's own start (~3 s), which fails if any task reports a change.
# Results: docs/benchmarks.md, "lab economy".
set -euo pipefail
runs=${1:-3}
strategies=${BENCH_STRATEGIES:-linear mitogen_linear}
cd "$(dirname "$0")/.."
: "${DOCKER_HOST:?source lab/.state/env first}"
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$PWD/.build/collections" NO_COLOR=1
ANSIBLE_STRATEGY_PLUGINS="$(.venv/bin/python -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy"
export ANSIBLE_STRATEGY_PLUGINS
log=$(mktemp -d)/reconverge
mkdir -p "$(dirname "$log")"

if ! molecule list -s default 2>/dev/null | grep -Eq 'director1 +docker +ansible +default +true +true'; then
  echo "[bench] creating and converging the default cluster (about 3 min)"
  ANSIBLE_STRATEGY=mitogen_linear molecule create -s default >"$log.create" 2>&1
  ANSIBLE_STRATEGY=mitogen_linear molecule converge -s default >"$log.converge" 2>&1
fi

declare -A times
for i in $(seq 1 "$runs"); do
  for strategy in $strategies; do
    start=$(date +%s.%N)
    ANSIBLE_STRATEGY=$strategy molecule idempotence -s default >"$log.$strategy.$i" 2>&1 \
      || { echo "[bench] $strategy run $i was not idempotent or failed: $log.$strategy.$i"; exit 1; }
    took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    times[$strategy]+="$took "
    printf '[bench] run %d %-15s %6.1f s\n' "$i" "$strategy" "$took"
  done
done
for strategy in $strategies; do
  # shellcheck disable=SC2086
  printf '[bench] %-15s median %6.1f s of %s\n' "$strategy" \
    "$(printf '%s\n' ${times[$strategy]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "${times[$strategy]}"
done
[ "${BENCH_KEEP:-0}" = 1 ] || molecule destroy -s default >"$log.destroy" 2>&1
echo "[bench] logs: $log.*"
