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
# Offline stand-in for the get-pip script ansible-test would download (pip 24.2 with ansible-core 2.19).
install -D -m 0755 "$top/tools/get_pip_offline.py" "$HOME/.ansible/test/cache/get_pip_24_2.py"
cd "$dest"
ansible-test sanity --python 3.11 --color no "$@"
