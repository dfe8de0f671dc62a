#!/usr/bin/env bash
# The lab: a Docker engine whose kernel has IPVS, for molecule and the demo.
#   lab.sh up       use your own engine if it has ip_vs, else build (cached) and boot the VM
#   lab.sh down     power the VM off (the images stay cached)
#   lab.sh status   exit 0 when the lab answers; prints its DOCKER_HOST
#   lab.sh image    build the VM and host images only
#   lab.sh ssh      a root shell in the VM
# After `up`, `source lab/.state/env` points docker and molecule at the lab.
. "$(dirname "$0")/lib.sh"
mkdir -p "$STATE"
ENV_FILE="$STATE/env"
PIDFILE="$STATE/qemu.pid"

vm_running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
engine_ok() { DOCKER_HOST="$1" timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# An engine the user already has (DOCKER_HOST or the local socket), if its kernel has ip_vs.
own_engine() {
  [ "${LVS_LAB_MODE:-auto}" = vm ] && return 1
  local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  case "$host" in tcp://127.0.0.1:"$DOCKER_PORT") return 1 ;; esac   # that is our VM
  engine_ok "$host" || return 1
  echo "$host"
}

write_env() { printf 'export DOCKER_HOST=%s\n' "$1" >"$ENV_FILE"; }

import_host_images() {  # each release's image, unless the engine has this recipe of it
  local host="$1" suite want image
  for suite in $HOST_SUITES; do
    want=$(host_recipe "$suite") image=$(host_image "$suite")
    [ "$(DOCKER_HOST=$host docker image inspect -f '{{index .Config.Labels "lvs.recipe"}}' "$image" 2>/dev/null)" = "$want" ] &&
      continue
    bash "$LAB_DIR/build-host.sh" "$suite"
    log "importing $image into the engine (about 2 min under TCG)"
    DOCKER_HOST=$host docker import -c 'CMD ["/lib/systemd/systemd"]' \
      -c "LABEL lvs.recipe=$want" "$CACHE/host-$want.tar" "$image" >/dev/null
  done
}

check_ipvs() {  # IPVS must work inside a privileged container of that engine
  DOCKER_HOST="$1" docker run --rm --privileged --entrypoint ipvsadm "$(host_image "${HOST_SUITES%% *}")" -L -n >/dev/null 2>&1 ||
    die "the engine at $1 runs containers but its kernel has no IPVS (modprobe ip_vs on the engine's host), or set LVS_LAB_MODE=vm"
}

boot_vm() {
  need qemu-system-x86_64 qemu-system-x86
  local img accel
  img="$CACHE/vm-$(vm_recipe)"
  [ -f "$img/vm.img" ] || build_images
  for p in "$SSH_PORT" "$DOCKER_PORT"; do
    port_busy "$p" && die "port 127.0.0.1:$p is taken by another program: free it or choose another with LVS_LAB_SSH_PORT / LVS_LAB_DOCKER_PORT"
  done
  # KVM when it really works (LVS_LAB_ACCEL=kvm); TCG otherwise — KVM hangs on this kind of machine.
  accel="${LVS_LAB_ACCEL:-tcg,thread=multi}"
  log "booting the lab VM ($accel, ${VM_CPUS} CPUs, ${VM_MEM} MB)"
  rm -f "$STATE/console.log" "$STATE/ipvs-ok"
  vm_recipe >"$STATE/recipe"
  qemu-system-x86_64 -accel "$accel" -cpu max -smp "$VM_CPUS" -m "$VM_MEM" \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 net.ifnames=0 apparmor=0 quiet" \
    -drive "file=$img/vm.img,format=raw,if=virtio,cache=unsafe" \
    -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$SSH_PORT-:22,hostfwd=tcp:127.0.0.1:$DOCKER_PORT-:2375" \
    -device virtio-net-pci,netdev=n0 -device virtio-rng-pci -display none \
    -serial "file:$STATE/console.log" -pidfile "$PIDFILE" -daemonize
}

wait_engine() {
  local host="$1" i
  for i in $(seq 1 120); do
    engine_ok "$host" && return 0
    vm_running || die "the VM stopped while booting; see $STATE/console.log"
    sleep 1
  done
  die "the lab's Docker API did not answer in 120 s; see $STATE/console.log"
}

# The VM stands for separate machines, but shares the host's cores with the
# controller (ansible, pytest): under their load TCG stalled the whole VM for
# up to 14 s, both directors with it, which VRRP takes for a dead peer (issue
# 17's soak). Every qemu thread at nice -10 (vCPUs included; nice is per
# thread); a user who is not root keeps 0.
favour_vm() {
  local pid task
  pid=$(cat "$PIDFILE")
  for task in /proc/"$pid"/task/*; do renice -n -10 -p "${task##*/}" >/dev/null 2>&1 || return 0; done
}

build_images() {  # every debootstrap at once: they wait on the network more than on the CPU
  local pids=() suite pid rc=0
  bash "$LAB_DIR/build-vm.sh" & pids+=($!)
  for suite in $HOST_SUITES; do bash "$LAB_DIR/build-host.sh" "$suite" & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return "$rc"
}

cmd_up() {
  local start=$SECONDS host
  if host=$(own_engine); then
    log "using your Docker engine at $host (no VM)"
  else
    host="tcp://127.0.0.1:$DOCKER_PORT"
    if vm_running; then
      log "the lab VM is already running (pid $(cat "$PIDFILE")): reusing it"
      [ "$(cat "$STATE/recipe" 2>/dev/null)" = "$(vm_recipe)" ] ||
        log "note: it was booted from an older recipe; 'make lab-down lab-up' boots the new one"
    else
      boot_vm
    fi
    wait_engine "$host"
    log "Docker API answered after $((SECONDS - start)) s"
    favour_vm
  fi
  write_env "$host"
  import_host_images "$host"
  [ -f "$STATE/ipvs-ok" ] || { check_ipvs "$host" && touch "$STATE/ipvs-ok"; }   # once per boot
  log "lab up in $((SECONDS - start)) s: source $ENV_FILE  (DOCKER_HOST=$host)"
}

cmd_down() {
  if ! vm_running; then log "the lab VM is not running"; rm -f "$PIDFILE"; return 0; fi
  local pid i
  pid=$(cat "$PIDFILE")
  log "powering the lab VM off"
  ssh_vm systemctl poweroff >/dev/null 2>&1 || kill "$pid"
  for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PIDFILE" "$ENV_FILE" "$STATE/ipvs-ok"
  log "lab down"
}

cmd_status() {
  local host
  [ -f "$ENV_FILE" ] || { log "the lab is down (make lab-up)"; return 1; }
  host=$(sed -n 's/^export DOCKER_HOST=//p' "$ENV_FILE")
  engine_ok "$host" || { log "the lab at $host does not answer (make lab-up)"; return 1; }
  vm_running && log "VM running, pid $(cat "$PIDFILE")"
  log "Docker engine at $host: $(DOCKER_HOST=$host docker ps -q | wc -l) containers running"
  echo "DOCKER_HOST=$host"
}

ssh_vm() {
  ssh -q -i "$CACHE/id_lab" -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=5 root@127.0.0.1 "$@"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  image) build_images ;;
  ssh) shift; ssh_vm "$@" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
