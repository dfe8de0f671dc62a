#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection. ansible-test wants the tree at
# …/ansible_collections/lvs/ha (it refuses a symlink) and, inside a git checkout,
# lists files with git — so the copy lives outside this repository.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/ansible_collections/lvs/ha"
mkdir -p "$dest"
# Only what ships: the lab, the scenarios, the benchmarks, the role tests, the lab's
# inventory and these tools stay out (build_ignore in galaxy.yml).
(cd "$top" && git ls-files -co --exclude-standard | grep -Ev '^(lab|molecule|bench|tools|\.ci|\.config|tests/roles|inventories/lab)/' |
  tar -cf - -T - | tar -xf - -C "$dest")
# Offline stand-in for the get-pip script ansible-test would download, under the
# name this ansible-test asks for (pip 24.2 with ansible-core 2.19, 25.2 with 2.20
# and 2.21). The sanity tests run on the Python that runs ansible-test.
read -r python pip_version < <(python3 - <<'PY'
import inspect, re, sys
from ansible_test._internal import python_requirements
pip = re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages)).group(1)
print('%d.%d' % sys.version_info[:2], pip)
PY
)
install -D -m 0755 "$top/tools/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
cd "$dest"
ansible-test sanity --python "$python" --color no "$@"
