#!/usr/bin/env bash
# The VRRP pair and ecmp side by side, on the same lab in one run (issue 20):
# the default scenario's pair (two directors) and the ecmp scenario's three
# directors, each created and converged in turn, loaded alike
# (bench/failover_client.py: BENCH_RATE new connections/s, BENCH_LONG
# long-lived) and failed alike (BENCH_EVENTS: kill, stop), then destroyed.
#   bash bench/modes.sh [RESULTS.jsonl]     (the lab up, `make deps` done; ~25 min)
set -euo pipefail
cd "$(dirname "$0")/.."
source lab/.state/env
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$PWD/.build/collections ANSIBLE_NOCOLOR=1
# The converges as `make molecule` runs them.
export ANSIBLE_STRATEGY=mitogen_linear
ANSIBLE_STRATEGY_PLUGINS=$(python3 -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy
export ANSIBLE_STRATEGY_PLUGINS
out=${1:-docs/failover-results.jsonl}
load=(--events "${BENCH_EVENTS:-kill,stop}" --rate "${BENCH_RATE:-50}" --long "${BENCH_LONG:-50}" --out "$out")
trap 'for s in default ecmp; do molecule destroy -s $s >/dev/null 2>&1 || true; done' EXIT
for s in default ecmp; do molecule destroy -s $s >/dev/null 2>&1 || true; done

echo "[bench] VRRP pair: create and converge the default scenario"
molecule create -s default >/dev/null
molecule converge -s default >/dev/null
python3 bench/failover.py --label "modes $(date -u +%F): VRRP pair (role defaults)" "${load[@]}"
molecule destroy -s default >/dev/null

echo "[bench] ecmp: create and converge the ecmp scenario"
molecule create -s ecmp >/dev/null
molecule converge -s ecmp >/dev/null
python3 bench/failover_ecmp.py --label "modes $(date -u +%F): ecmp, 3 directors (role defaults)" "${load[@]}"
