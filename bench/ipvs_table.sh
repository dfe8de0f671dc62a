#!/usr/bin/env bash
# Benchmark of ipvs_table against bare ipvsadm, in a lab container (issue 3).
#   bash bench/ipvs_table.sh [SIZES...]        default: 1000 10000
# Needs the lab (source lab/.state/env: DOCKER_HOST) and `make deps`.
# For each size N (N virtual services x 2 real servers, 3N rules) it times, inside
# the container unless said otherwise:
#   (a) one ipvsadm process per rule (for N > 1000: the last 1000 services' rules on a
#       table already holding the others, scaled to N; the per-process cost dominates)
#   (b) one bare `ipvsadm -R` of the same rules
#   (c) lvs.ha.ipvs_table through ansible-playbook, table as `rules` text and as
#       structured `services` (task time from the target's clock; the playbook wall
#       time from the host is printed too)
#   (d) the idempotent re-run of (c) against a bare `ipvsadm -S -n`
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sizes=("${@:-1000 10000}")
read -r -a sizes <<< "${sizes[*]}"
name=ipvs-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$top/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$top/.build/collections" ANSIBLE_PIPELINING=true
export ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.minimal
: "${DOCKER_HOST:?source lab/.state/env first}"

if ! docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null | grep -q true; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --privileged --network none lvs-ha/host:latest sleep infinity >/dev/null
fi
printf '%s ansible_connection=community.docker.docker ansible_python_interpreter=/usr/bin/python3\n' "$name" > "$work/inventory"

in_box() { docker exec -i "$name" bash -c "$1"; }
secs() { in_box "TIMEFORMAT=%R; { time $1 >/dev/null 2>&1; } 2>&1 | tail -1"; }
now() { in_box 'date +%s.%N'; }

playbook() {  # playbook INPUT SIZE -> "task_seconds wall_seconds changed"
  local input=$1 n=$2 t0 t1 out task changed
  t0=$(date +%s.%N)
  out=$(ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks ansible-playbook -i "$work/inventory" \
        "$top/bench/ipvs_table.yml" -e bench_input="$input" -e "@$work/other.json" -e "@$work/$n/$input.json" 2>&1)
  t1=$(date +%s.%N)
  task=$(grep -E '^Apply the table given as' <<< "$out" | grep -v skipping | grep -oE '[0-9]+\.[0-9]+s' | head -1 | tr -d s)
  changed=$(grep -oE 'changed=(True|False)' <<< "$out" | head -1 | cut -d= -f2)
  echo "${task:-?} $(echo "$t1 - $t0" | bc) ${changed:-?}"
}

echo '{"bench_rules": "", "bench_services": []}' > "$work/other.json"
echo "| services | (a) one process per rule | (b) bare ipvsadm -R | (c) ipvs_table rules | (c) ipvs_table services | bare ipvsadm -S -n | (d) re-run rules | (d) re-run services |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  python3 "$top/bench/ipvs_table_gen.py" "$n" "$work/$n"
  docker cp "$work/$n/rules" "$name:/tmp/rules" >/dev/null
  in_box 'ipvsadm -C'
  # (a) one process per rule
  if [ "$n" -le 1000 ]; then
    a=$(secs 'while read -r line; do ipvsadm $line; done < /tmp/rules')
  else
    head -n $(( (n - 1000) * 3 )) "$work/$n/rules" > "$work/$n/head"
    tail -n 3000 "$work/$n/rules" > "$work/$n/tail"
    docker cp "$work/$n/head" "$name:/tmp/head" >/dev/null; docker cp "$work/$n/tail" "$name:/tmp/tail" >/dev/null
    in_box 'ipvsadm -R < /tmp/head'
    part=$(secs 'while read -r line; do ipvsadm $line; done < /tmp/tail')
    a="$(echo "scale=1; $part * $n / 1000" | bc) (est.)"
  fi
  # (b) one bare restore
  in_box 'ipvsadm -C'
  b=$(secs 'ipvsadm -R < /tmp/rules')
  # (c) ipvs_table, both inputs, onto an empty table
  in_box 'ipvsadm -C'
  read -r c_rules c_rules_wall c_rules_changed <<< "$(playbook rules "$n")"
  save=$(secs 'ipvsadm -S -n')
  read -r d_rules d_rules_wall d_rules_changed <<< "$(playbook rules "$n")"
  in_box 'ipvsadm -C'
  read -r c_svc c_svc_wall c_svc_changed <<< "$(playbook services "$n")"
  read -r d_svc d_svc_wall d_svc_changed <<< "$(playbook services "$n")"
  echo "| $n | $a | $b | $c_rules ($c_rules_changed) | $c_svc ($c_svc_changed) | $save | $d_rules ($d_rules_changed) | $d_svc ($d_svc_changed) |"
  echo "<!-- $n: playbook wall from the host: c rules $c_rules_wall, c services $c_svc_wall, d rules $d_rules_wall, d services $d_svc_wall -->"
done
in_box 'ipvsadm -C'
docker rm -f "$name" >/dev/null
