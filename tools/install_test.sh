#!/usr/bin/env bash
# The built tarball as a user gets it: none of the lab, test or toy files in it;
# installed with ansible-galaxy into an empty collections path (ansible.posix,
# its one dependency, from .build/collections: Galaxy is unreachable here), then
# from a directory outside the checkout every playbook passes --syntax-check,
# every module and role has its documentation, and ansible-builder writes an
# execution environment's build context with it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls "$top"/.build/dist/lvs-ha-*.tar.gz)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "[install-test] FAILED: $*" >&2; exit 1; }

# What must stay out (build_ignore in galaxy.yml).
shipped=$(tar -tzf "$tarball")
for path in lab/ molecule/ bench/ tools/ tests/ inventories/lab/ playbooks/lab_web.yml .ci/ Makefile; do
  ! grep -q "^${path}" <<<"$shipped" || fail "$path is in $tarball"
done

# Outside the checkout, with only the empty path and ansible.posix configured:
# ansible-galaxy then cannot find the checkout's lvs.ha and say "already installed",
# and nothing resolves by a path relative to the checkout.
mkdir -p "$tmp/deps/ansible_collections/ansible"
ln -s "$top/.build/collections/ansible_collections/ansible/posix" "$tmp/deps/ansible_collections/ansible/posix"
export ANSIBLE_COLLECTIONS_PATH="$tmp/installed:$tmp/deps" ANSIBLE_NOCOLOR=1
cd "$tmp"
ansible-galaxy collection install --offline --no-deps -p "$tmp/installed" "$tarball" >/dev/null
installed="$tmp/installed/ansible_collections/lvs/ha"
[ -f "$installed/MANIFEST.json" ] || fail "ansible-galaxy left no MANIFEST.json"

printf 'all:\n  children:\n    directors: {hosts: {d1: {}}}\n    real_servers: {hosts: {r1: {}}}\n' >hosts.yml
for playbook in "$installed"/playbooks/*.yml; do
  name=$(basename "$playbook" .yml)
  ansible-playbook -i hosts.yml "lvs.ha.$name" --syntax-check >"$name.log" 2>&1 || { cat "$name.log"; fail "lvs.ha.$name --syntax-check"; }
done
for module in "$installed"/plugins/modules/*.py; do
  name=$(basename "$module" .py)
  doc=$(ansible-doc "lvs.ha.$name" 2>&1) || fail "ansible-doc lvs.ha.$name: $doc"
  grep -qE "^> MODULE \*?lvs\.ha\.$name\*? \($installed/" <<<"$doc" || fail "ansible-doc lvs.ha.$name, not from $installed"
done
for role in "$installed"/roles/*/; do
  name=$(basename "$role")
  doc=$(ansible-doc -t role "lvs.ha.$name" 2>&1) || fail "ansible-doc -t role lvs.ha.$name: $doc"
  grep -q "^ENTRY POINT: \*\?main\*\? - " <<<"$doc" || fail "ansible-doc -t role lvs.ha.$name: no main entry point"
done
# An execution environment with the collection: ansible-builder writes the build
# context (no image: no container engine here); its introspection, which a build
# runs, reads the installed collection's meta/execution-environment.yml and finds
# no requirement (a probe line in a copy's bindep.txt proves it reads the file).
mkdir ee && cp "$top/tools/ee/execution-environment.yml" ee/ && cp "$tarball" ee/lvs-ha.tar.gz
ansible-builder create -f ee/execution-environment.yml --context ee/context >ee.log 2>&1 || { cat ee.log; fail "ansible-builder create"; }
[ -f ee/context/_build/collections/lvs-ha.tar.gz ] || fail "ansible-builder create: the tarball is not in the build context"
introspected=$(ansible-builder introspect --sanitize "$tmp/installed" 2>&1)
grep -qx 'python: \[\]' <<<"$introspected" && grep -qx 'system: \[\]' <<<"$introspected" ||
  fail "ansible-builder introspect found requirements: $introspected"
mkdir -p probe/ansible_collections/lvs && cp -r "$installed" probe/ansible_collections/lvs/ha
echo 'lvs-ha-probe-package' >>probe/ansible_collections/lvs/ha/bindep.txt
ansible-builder introspect --sanitize "$tmp/probe" 2>&1 | grep -q 'lvs-ha-probe-package' ||
  fail "ansible-builder introspect does not read the collection's bindep.txt"

echo "[install-test] $(basename "$tarball"): $(wc -l <<<"$shipped") entries, none of the lab's;" \
  "$(ls "$installed"/playbooks/*.yml | wc -l) playbooks pass --syntax-check, $(ls "$installed"/plugins/modules/*.py | wc -l) modules" \
  "and $(ls -d "$installed"/roles/*/ | wc -l) roles documented; an execution environment's build context written"
