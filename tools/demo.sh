#!/usr/bin/env bash
# make demo: the lab hosts, a cluster built by playbooks/site.yml from
# inventories/lab, traffic through the VIP, then the master killed while a
# client keeps asking. Run after `lab/lab.sh up` (the Makefile does).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
source lab/.state/env
VIP=10.88.0.10
DIRECTORS="lab-director1 lab-director2"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

holder() {  # the director that holds the VIP right now
  local d
  for d in $DIRECTORS; do
    docker exec "$d" ip -o -4 addr show 2>/dev/null | grep -q " $VIP/" && { echo "$d"; return; }
  done
  echo none
}

ask() {  # N requests from the client, one line per answer
  docker exec lab-client sh -c "for i in \$(seq $1); do curl -s -m 1 http://$VIP/ || echo FAILED; echo; done" | grep -v '^$'
}

step "1/5 lab hosts (containers in the lab VM)"
bash lab/hosts.sh up

step "2/5 build the cluster: ansible-playbook lab/web/lab_web.yml playbooks/site.yml -i inventories/lab"
ansible-playbook -i inventories/lab lab/web/lab_web.yml playbooks/site.yml

step "3/5 balancing: 10 requests from lab-client to the VIP $VIP"
for i in $(seq 20); do [ "$(holder)" != none ] && break; sleep 0.5; done
master=$(holder)
echo "VIP held by: $master"
ask 10 | sort | uniq -c
docker exec "$master" ipvsadm -L -n

step "4/5 failover: a request every 0.2 s while $master is killed (docker kill)"
docker exec -d lab-client sh -c "rm -f /tmp/loop /tmp/stop; while [ ! -f /tmp/stop ]; do r=\$(curl -s -m 1 http://$VIP/) || r=FAILED; echo \$r >>/tmp/loop; sleep 0.2; done"
sleep 3
echo "killing $master at $(date +%T)"
docker exec lab-client sh -c 'echo KILL >>/tmp/loop'
docker kill "$master" >/dev/null
sleep 8
docker exec lab-client sh -c 'touch /tmp/stop; sleep 1.5'
echo "one mark per request: 1 = lab-real1, 2 = lab-real2, x = failed, | = the master killed"
docker exec lab-client cat /tmp/loop | awk '{ printf ($1 == "KILL" ? "|" : $1 == "FAILED" ? "x" : substr($1, length($1))) } END { print "" }'
failed=$(docker exec lab-client grep -c FAILED /tmp/loop || true)
echo "VIP now held by: $(holder); failed requests: $failed of $(docker exec lab-client grep -vc KILL /tmp/loop)"

step "5/5 bring $master back: it hears its peer's adverts and waits as BACKUP (director_rejoin_hold, 20 s)"
docker start "$master" >/dev/null
started=$SECONDS
sleep 5
echo "VIP held by: $(holder), 5 s after $master started"
# A booting container takes ~25 s in the lab, then the hold: up to 90 s.
for _ in $(seq 170); do [ "$(holder)" = "$master" ] && break; sleep 0.5; done
echo "VIP held by: $(holder), $((SECONDS - started)) s after $master started"
ask 4
echo
echo "Done. Inspect: source lab/.state/env; docker exec -it lab-client bash. Clean up: bash lab/hosts.sh down; make lab-down"
