#!/usr/bin/env bash
# Benchmark of ipvs_table against bare ipvsadm, in a lab container (issue 3).
#   bash bench/ipvs_table.sh [SIZES...]        default: 1000 10000
# Needs the lab (source lab/.state/env: DOCKER_HOST) and `make deps`.
# For each size N (N virtual services x 2 real servers, 3N rules) one ansible-playbook
# run of bench/ipvs_table.yml times, each as ONE task (ansible.posix.profile_tasks), so
# every figure carries the same per-task cost (docker connection, AnsiballZ, Python):
#   (a) one ipvsadm process per rule, in a shell loop timed inside the container (the
#       last K = min(N, BENCH_LOOP) services' rules on a table already holding the others,
#       scaled to N: the per-process cost dominates; BENCH_LOOP defaults to 1000)
#   (b) ipvsadm -R fed the same rules on stdin by ansible.builtin.command (twice: before
#       and after the ipvs_table runs; the mean is the floor)
#   (c) lvs.ha.ipvs_table onto an empty table, the table given as rules, as services and
#       as services_json (the same list as JSON text, read by a file lookup)
#   (d) the idempotent re-run of (c), against ipvsadm -S -n >/dev/null by ansible.builtin.shell
#       (twice, mean)
#   (f) ipvsadm -v by ansible.builtin.command: the fixed cost of one task
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sizes=("${@:-1000 10000}")
read -r -a sizes <<< "${sizes[*]}"
name=ipvs-bench
loop=${BENCH_LOOP:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$top/.venv/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$top/.build/collections" ANSIBLE_PIPELINING=true
export ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_NOCOLOR=1 ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks PROFILE_TASKS_TASK_OUTPUT_LIMIT=100
: "${DOCKER_HOST:?source lab/.state/env first}"

if ! docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null | grep -q true; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --privileged --network none lvs-ha/host:bookworm sleep infinity >/dev/null
fi
printf '%s ansible_connection=community.docker.docker ansible_python_interpreter=/usr/bin/python3\n' "$name" > "$work/inventory"

task() { grep -E "^$1" "$work/out" | grep -oE '[0-9]+\.[0-9]+s' | head -1 | tr -d s; }
mean() { echo "scale=2; ($1 + $2) / 2" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

echo "| services | (a) one process per rule | (b) ipvsadm -R, two runs | (c) ipvs_table, rules | (c) ipvs_table, services | (c) ipvs_table, services_json | ipvsadm -S -n, two runs | (d) re-run, rules | (d) re-run, services | (d) re-run, services_json | (f) one task |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  python3 "$top/bench/ipvs_table_gen.py" "$n" "$work/$n"
  k=$(( n < loop ? n : loop ))
  head -n $(( (n - k) * 3 )) "$work/$n/rules" > "$work/$n/head"
  tail -n $(( k * 3 )) "$work/$n/rules" > "$work/$n/loop"
  docker cp "$work/$n/head" "$name:/tmp/head" >/dev/null
  docker cp "$work/$n/loop" "$name:/tmp/loop" >/dev/null
  load=$(docker exec "$name" cat /proc/loadavg | cut -d' ' -f1-3)
  ansible-playbook -i "$work/inventory" "$top/bench/ipvs_table.yml" -e bench_size="$n" \
    -e "@$work/$n/rules.json" -e "@$work/$n/services.json" -e bench_services_file="$work/$n/services_list.json" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  a=$(grep -oE 'loop seconds=[0-9.]+' "$work/out" | head -1 | cut -d= -f2)
  a=$(echo "scale=1; $a * $n / $k" | bc)
  b1=$(task '\(b\).*first'); b2=$(task '\(b\).*second'); b=$(mean "$b1" "$b2")
  s1=$(task '\(s\).*first'); s2=$(task '\(s\).*second'); s=$(mean "$s1" "$s2")
  c_r=$(task '\(c\) ipvs_table given rules'); d_r=$(task '\(d\) ipvs_table given rules')
  c_s=$(task '\(c\) ipvs_table given services '); d_s=$(task '\(d\) ipvs_table given services,')
  c_j=$(task '\(c\) ipvs_table given services_json'); d_j=$(task '\(d\) ipvs_table given services_json')
  f=$(task '\(f\)')
  # The callback wraps the message over two lines.
  changed=$(grep -A1 'changed c_rules=' "$work/out" | tr -s ' \n' ' ' | grep -oE 'changed c_rules=.*d_services_json=[A-Za-z]+')
  est=''; [ "$n" -gt "$k" ] && est=" (est. from $k)"
  echo "| $n | $a$est | $b1, $b2 | $c_r | $c_s | $c_j | $s1, $s2 | $d_r | $d_s | $d_j | $f |"
  echo "<!-- $n services, load before: $load; $changed; ratios: (c) rules/(b) $(ratio "$c_r" "$b"), (c) services/(b) $(ratio "$c_s" "$b"), (a)/(c) rules $(ratio "$a" "$c_r"), (a)/(c) services $(ratio "$a" "$c_s"), (d) rules/save $(ratio "$d_r" "$s"), (d) services/save $(ratio "$d_s" "$s"), (c) services_json/(b) $(ratio "$c_j" "$b"), (a)/(c) services_json $(ratio "$a" "$c_j"), (d) services_json/save $(ratio "$d_j" "$s") -->"
done
docker rm -f "$name" >/dev/null
