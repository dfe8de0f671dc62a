#!/usr/bin/env bash
# The demo's lab hosts (inventories/lab): systemd containers on the lab network.
# They run the newest Debian release the lab builds (the last of LVS_LAB_HOST_SUITES).
#   hosts.sh up     create what is missing (reuses running hosts)
#   hosts.sh down   remove them and the network
# Addresses live only inside the lab's Docker engine.
. "$(dirname "$0")/lib.sh"
NET=lvs-lab
SUBNET=10.88.0.0/24
HOSTS="lab-director1=10.88.0.11 lab-director2=10.88.0.12 lab-real1=10.88.0.21 lab-real2=10.88.0.22 lab-client=10.88.0.100"

[ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ] || die "no lab engine: run 'make lab-up' and 'source lab/.state/env'"

up() {
  docker network inspect "$NET" >/dev/null 2>&1 ||
    docker network create --subnet "$SUBNET" --label lvs.lab=demo "$NET" >/dev/null
  local h name ip
  for h in $HOSTS; do
    name=${h%%=*} ip=${h#*=}
    if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ]; then continue; fi
    docker rm -f "$name" >/dev/null 2>&1 || true
    docker run -d --name "$name" --hostname "$name" --network "$NET" --ip "$ip" \
      --privileged --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock \
      --stop-signal SIGRTMIN+3 --label lvs.lab=demo "$(host_image "${HOST_SUITES##* }")" /lib/systemd/systemd >/dev/null
    log "started $name ($ip)"
  done
  # systemd empties /tmp while it boots: Ansible must not start before that.
  for h in $HOSTS; do
    docker exec "${h%%=*}" sh -c 'for i in $(seq 180); do
      case "$(systemctl is-system-running 2>/dev/null)" in running|degraded) exit 0;; esac; sleep 1; done; exit 1' ||
      die "${h%%=*} did not finish booting in 180 s"
  done
}

down() {
  local ids
  ids=$(docker ps -aq --filter label=lvs.lab=demo)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm "$NET" >/dev/null 2>&1 || true
  log "demo hosts removed"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
