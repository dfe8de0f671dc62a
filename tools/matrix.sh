#!/usr/bin/env bash
# Every check that needs no lab, on each ansible-core minor meta/runtime.yml admits
# beside the main virtualenv's (2.21, the newest): unit and role tests, the argument
# specs, lint and sanity, each in its own virtualenv under .build (kept between
# runs), on the Python of tools/find_python.sh.
#   bash tools/matrix.sh                          (make matrix)
#   MATRIX="2.20.10:3.12" bash tools/matrix.sh    (one ansible-core:Python pair)
# The lab scenarios run on the main virtualenv only; see README, "Platforms".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Every tested minor but the main virtualenv's (2.21, or 2.19 where no Python 3.13 is).
main=$("$top/.venv/bin/python" -c 'import ansible.release; print(ansible.release.__version__)')
matrix=${MATRIX:-$(for pair in 2.19.14:3.11 2.20.10:3.12 2.21.5:3.13; do [ "${pair%%:*}" = "$main" ] || echo "$pair"; done)}
# The test tools at the versions the main virtualenv pins.
tools=$(grep -E '^(pytest|ansible-lint|yamllint)==' requirements-dev.txt)

for pair in $matrix; do
  core=${pair%%:*} pyv=${pair##*:} start=$SECONDS
  venv=$top/.build/venv-core-$core
  if [ ! -f "$venv/.stamp" ]; then
    rm -rf "$venv"
    "$(bash tools/find_python.sh "$pyv")" -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "ansible-core==$core" $tools
    touch "$venv/.stamp"
  fi
  echo "[matrix] ansible-core $core, Python $pyv: units and role tests, argument specs, lint, sanity"
  (
    export PATH="$venv/bin:$PATH"
    python -m pytest -q -p no:cacheprovider tests/unit tests/roles
    python tools/check_argspecs.py
    yamllint -s .
    ansible-lint
    bash tools/sanity.sh
  )
  echo "[matrix] ansible-core $core passed in $((SECONDS - start)) s"
done
