#!/usr/bin/env bash
# ipvs_table through ansible-playbook on the host, against localhost (local connection) and a
# stand-in ipvsadm (prints a saved table for -S -n, swallows -R): the controller's share of a
# task, without the lab (issue 3).   bash bench/ipvs_table_host.sh [N] [RUNS]   default 10000 3
# Each figure is the median of RUNS whole ansible-playbook runs of ONE task (wall and CPU seconds);
# "apply" starts from an empty table, "re-run" from the full one. Needs `make deps` (or, in a
# worktree without them, BENCH_VENV and BENCH_COLLECTIONS naming another checkout's .venv and
# .build/collections; lvs.ha itself always resolves to this checkout).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
venv=${BENCH_VENV:-$top/.venv}
collections=${BENCH_COLLECTIONS:-$top/.build/collections}
n=${1:-10000} runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$top/bench/ipvs_table_gen.py" "$n" "$work/data"
mkdir -p "$work/bin" "$work/coll/ansible_collections/lvs"
ln -s "$top" "$work/coll/ansible_collections/lvs/ha"
cat > "$work/bin/ipvsadm" <<'SH'
#!/bin/sh
case "$1" in -S) cat "$IPVS_STATE" ;; -R) cat > /dev/null ;; esac
SH
chmod +x "$work/bin/ipvsadm"
: > "$work/empty"
printf '[defaults]\n' > "$work/ansible.cfg"
echo "localhost ansible_connection=local ansible_python_interpreter=$venv/bin/python" > "$work/inventory"
export PATH="$work/bin:$PATH" ANSIBLE_CONFIG="$work/ansible.cfg" ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_COLLECTIONS_PATH="$work/coll:$collections"
play() {  # play NAME ARGS-YAML: a playbook of one ipvs_table task
  printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - lvs.ha.ipvs_table:\n        %s\n' "$2" > "$work/$1.yml"
}
play rules '"rules": "{{ bench_rules }}"'
play services '"services": "{{ bench_services }}"'
play services_tojson '"services_json": "{{ bench_services | to_json }}"'
play services_from_json "\"services\": \"{{ lookup('ansible.builtin.file', '$work/data/services_list.json') | from_json }}\""
play services_json "\"services_json\": \"{{ lookup('ansible.builtin.file', '$work/data/services_list.json') }}\""
printf -- '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.debug:\n        msg: hi\n' > "$work/noop.yml"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timed() {  # timed STATE PLAYBOOK ARGS...: "wall cpu" medians of $runs runs
  local walls=() cpus=() w u s
  export IPVS_STATE=$1
  for _ in $(seq "$runs"); do
    { TIMEFORMAT='%R %U %S'; time "$venv/bin/ansible-playbook" -i "$work/inventory" "$2" "${@:3}" > "$work/out" 2>&1; } 2> "$work/time" ||
      { cat "$work/out" >&2; exit 1; }
    read -r w u s < "$work/time"
    walls+=("$w"); cpus+=("$(echo "$u + $s" | bc)")
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) / $(printf '%s\n' "${cpus[@]}" | median)"
}
echo "| $n services, given as | passed with | apply (wall / CPU s) | re-run (wall / CPU s) |"
echo "|---|---|---:|---:|"
row() {  # row LABEL HOW PLAYBOOK ARGS...
  echo "| $1 | $2 | $(timed "$work/empty" "$work/$3.yml" "${@:4}") | $(timed "$work/data/rules" "$work/$3.yml" "${@:4}") |"
}
row 'nothing (a debug task)' 'no -e' noop
row 'nothing (a debug task)' '-e @services.json' noop -e "@$work/data/services.json"
row rules '-e @rules.json' rules -e "@$work/data/rules.json"
row services '-e @services.json' services -e "@$work/data/services.json"
row 'services_json, `to_json`' '-e @services.json' services_tojson -e "@$work/data/services.json"
row 'services, `lookup(file)` then `from_json`' 'a file lookup' services_from_json
row services_json '`lookup(file)`' services_json
