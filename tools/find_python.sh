#!/usr/bin/env bash
# Print the path of a working python X.Y (tools/find_python.sh 3.13): pyenv's
# build first (its shim on PATH fails unless that version is selected), then
# python3.13 on PATH. ansible-core 2.20 needs Python >= 3.12, 2.21 >= 3.12, 2.22 >= 3.13.
set -euo pipefail
want=${1:?which Python, X.Y}
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/"python$want" "$(command -v "python$want" || true)"; do
  [ -x "$candidate" ] && "$candidate" -c pass 2>/dev/null && { echo "$candidate"; exit 0; }
done
echo "no working Python $want here: install it (pyenv install $want, or apt install python$want)" >&2
exit 1
