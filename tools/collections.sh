#!/usr/bin/env bash
# Collections the tests need, without Galaxy (unreachable here): community.docker
# and ansible.posix unpacked from the `ansible` wheel on PyPI, and this checkout
# linked in as lvs.ha, all under .build/collections.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/.build/collections/ansible_collections"
wheel_version=14.5.0   # bundles community.docker 5.4.0 and ansible.posix 2.2.2
py="$top/.venv/bin/python"

# Extracted again when the wheel version changes (.wheel records the one in place).
if [ "$(cat "$dest/.wheel" 2>/dev/null)" != "$wheel_version" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # The wheel needs Python >= 3.12 to install, not to unpack: any python3 fetches it.
  "$py" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 "ansible==$wheel_version" -d "$tmp"
  mkdir -p "$dest"
  "$py" - "$tmp" <<'PY'
import glob, sys, zipfile
tmp = sys.argv[1]
keep = ("ansible_collections/community/docker/", "ansible_collections/ansible/posix/")
with zipfile.ZipFile(glob.glob(tmp + "/ansible-*.whl")[0]) as whl:
    whl.extractall(tmp + "/unpacked", [n for n in whl.namelist() if n.startswith(keep)])
PY
  rm -rf "$dest/community/docker" "$dest/ansible/posix"
  mkdir -p "$dest/community" "$dest/ansible"
  mv "$tmp/unpacked/ansible_collections/community/docker" "$dest/community/docker"
  mv "$tmp/unpacked/ansible_collections/ansible/posix" "$dest/ansible/posix"
  echo "$wheel_version" >"$dest/.wheel"
fi
mkdir -p "$dest/lvs"
ln -sfn ../../../.. "$dest/lvs/ha"   # relative: the checkout may move
echo "collections ready in ${dest%/ansible_collections}"
