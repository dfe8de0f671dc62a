#!/usr/bin/env bash
# The soak benchmark (bench/soak.py) on the default scenario's cluster converged
# with bench/soak_vars.yml: three VRRP instances (adverts 0.5, 0.25, 0.1 s) under
# the same load for the same time.
#   bash bench/soak.sh [MINUTES] [RESULTS.jsonl]     (the lab up, `make deps` done; MINUTES + ~10 min)
set -euo pipefail
cd "$(dirname "$0")/.."
source lab/.state/env
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$PWD/.build/collections ANSIBLE_NOCOLOR=1
ANSIBLE_STRATEGY_PLUGINS="$(.venv/bin/python -c 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))')/plugins/strategy"
export ANSIBLE_STRATEGY_PLUGINS ANSIBLE_STRATEGY=mitogen_linear
minutes=${1:-30}
out=${2:-docs/soak-results.jsonl}
trap 'molecule destroy -s default >/dev/null 2>&1 || true' EXIT
molecule destroy -s default >/dev/null 2>&1 || true
molecule create -s default >/dev/null
echo "[bench] converge with bench/soak_vars.yml"
molecule converge -s default -- -e @"$PWD/bench/soak_vars.yml" >/dev/null
python3 bench/soak.py --minutes "$minutes" --out "$out"
