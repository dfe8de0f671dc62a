#!/usr/bin/env bash
# The ipvs_table module alone, without Ansible's transport: the module file run by
# python3 inside a lab container with an arguments file (as AnsiballZ would, minus
# the zip), next to a bare `ipvsadm -R` and `ipvsadm -S -n` in the same container.
#   bash bench/ipvs_table_module.sh [SIZES...]        default: 1000 10000
# Needs the lab (source lab/.state/env: DOCKER_HOST) and `make deps`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sizes=("${@:-1000 10000}")
read -r -a sizes <<< "${sizes[*]}"
name=ipvs-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: "${DOCKER_HOST:?source lab/.state/env first}"

if ! docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null | grep -q true; then
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker run -d --name "$name" --privileged --network none lvs-ha/host:bookworm sleep infinity >/dev/null
fi
# ansible.module_utils from the venv and this collection's plugins: what AnsiballZ would ship
site=$("$top/.venv/bin/python" -c 'import ansible, os; print(os.path.dirname(os.path.dirname(ansible.__file__)))')
mkdir -p "$work/py/ansible" "$work/py/ansible_collections/lvs/ha"
cp -r "$site/ansible/module_utils" "$work/py/ansible/" && touch "$work/py/ansible/__init__.py"
cp -r "$top/plugins" "$work/py/ansible_collections/lvs/ha/"
find "$work/py" -name __pycache__ -prune -exec rm -rf {} +
docker exec "$name" rm -rf /opt/bench && docker cp "$work/py" "$name:/opt/bench" >/dev/null

in_box() { docker exec -i "$name" bash -c "$1"; }
secs() { in_box "TIMEFORMAT=%R; { time $1 >/tmp/out 2>&1; } 2>&1 | tail -1"; }
module() { secs "env PYTHONPATH=/opt/bench python3 -m ansible_collections.lvs.ha.plugins.modules.ipvs_table /tmp/$1.json"; }
changed() { in_box 'grep -o "\"changed\": [a-z]*" /tmp/out | head -1 | cut -d" " -f2'; }

echo "| services | bare ipvsadm -R | module, rules | module, services | bare ipvsadm -S -n | module re-run, rules | module re-run, services | python3 -c 'import ansible.module_utils.basic' |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  "$top/.venv/bin/python" "$top/bench/ipvs_table_gen.py" "$n" "$work/$n"
  "$top/.venv/bin/python" - "$work/$n" <<'PY'
import json, sys
d = sys.argv[1]
for kind, key, arg in (('rules', 'bench_rules', 'rules'), ('services', 'bench_services', 'services')):
    value = json.load(open('%s/%s.json' % (d, kind)))[key]
    json.dump({'ANSIBLE_MODULE_ARGS': {arg: value}}, open('%s/args_%s.json' % (d, kind), 'w'))
PY
  docker cp "$work/$n/rules" "$name:/tmp/rules" >/dev/null
  docker cp "$work/$n/args_rules.json" "$name:/tmp/args_rules.json" >/dev/null
  docker cp "$work/$n/args_services.json" "$name:/tmp/args_services.json" >/dev/null
  in_box 'ipvsadm -C'; b=$(secs 'ipvsadm -R < /tmp/rules')
  in_box 'ipvsadm -C'; c_rules=$(module args_rules); c_rules_changed=$(changed)
  save=$(secs 'ipvsadm -S -n')
  d_rules=$(module args_rules); d_rules_changed=$(changed)
  in_box 'ipvsadm -C'; c_svc=$(module args_services); c_svc_changed=$(changed)
  d_svc=$(module args_services); d_svc_changed=$(changed)
  imp=$(secs "env PYTHONPATH=/opt/bench python3 -c 'import ansible.module_utils.basic'")
  echo "| $n | $b | $c_rules ($c_rules_changed) | $c_svc ($c_svc_changed) | $save | $d_rules ($d_rules_changed) | $d_svc ($d_svc_changed) | $imp |"
done
in_box 'ipvsadm -C'
docker rm -f "$name" >/dev/null
