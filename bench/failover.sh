#!/usr/bin/env bash
# The failover benchmark (bench/failover.py) over several configurations of one
# cluster, the default scenario's (DR, two directors, two real servers, a client):
# created and converged once, re-converged with each configuration's variables.
#   bash bench/failover.sh [RESULTS.jsonl]     (the lab up, `make deps` done; ~45 min)
# BENCH_EVENTS (default switchover:5,stop,kill), BENCH_RATE, BENCH_LONG tune the load.
set -euo pipefail
cd "$(dirname "$0")/.."
source lab/.state/env
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$PWD/.build/collections ANSIBLE_NOCOLOR=1
out=${1:-docs/failover-results.jsonl}
bench=(python3 bench/failover.py --events "${BENCH_EVENTS:-switchover:5,stop,kill}"
       --rate "${BENCH_RATE:-50}" --long "${BENCH_LONG:-50}" --out "$out")
trap 'molecule destroy -s default >/dev/null 2>&1 || true' EXIT
molecule destroy -s default >/dev/null 2>&1 || true
molecule create -s default
configuration() {   # label, then extra variables for the converge
  local label=$1; shift
  echo "[bench] $label: converge $*"
  molecule converge -s default -- "$@" >/dev/null
  "${bench[@]}" --label "$label"
}
configuration "role defaults (advert 0.5 s at nice -20, sync daemons, rejoin hold 20 s)"
configuration "no rejoin hold" -e director_rejoin_hold=0
configuration "stock timers (advert 1 s)" -e director_vrrp_advert_int=1
configuration "fast (advert 0.25 s)" -e director_vrrp_advert_int=0.25
configuration "no sync daemon" -e director_ipvs_sync_daemon=false
configuration "preempt_delay 30 s, no rejoin hold" -e director_vrrp_preempt_delay=30 -e director_rejoin_hold=0
