# shellcheck shell=bash
# Common settings of the lab scripts. Everything is overridable from the environment.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE="${LVS_LAB_STATE:-$LAB_DIR/.state}"                        # pid, console, env of the running lab
CACHE="${LVS_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvs-ha-lab}"  # built images, shared by checkouts
VM_SUITE="${LVS_LAB_VM_SUITE:-bookworm}"                        # the VM: kernel with IPVS, Docker
# One host image per Debian release the roles support, lvs-ha/host:<release>;
# each scenario's molecule.yml names the release its hosts run.
HOST_SUITES="${LVS_LAB_HOST_SUITES:-bookworm trixie}"
SSH_PORT="${LVS_LAB_SSH_PORT:-2222}"
DOCKER_PORT="${LVS_LAB_DOCKER_PORT:-2375}"
VM_MEM="${LVS_LAB_MEM:-3072}"
VM_CPUS="${LVS_LAB_CPUS:-2}"
host_image() { echo "lvs-ha/host:$1"; }

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

need() {  # need CMD PACKAGE: a clear message instead of "command not found"
  command -v "$1" >/dev/null 2>&1 || die "'$1' is missing: install it with 'sudo apt-get install $2'"
}

# The apt mirror this machine already uses (the lab must not invent network paths).
mirror() {
  local uri
  uri=$(grep -hs '^URIs:.*debian$' /etc/apt/sources.list.d/*.sources | head -1 | awk '{print $2}') || true
  [ -n "$uri" ] || uri=$(grep -hs '^deb .*debian ' /etc/apt/sources.list | grep -v security | head -1 | awk '{print $2}') || true
  echo "${LVS_LAB_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}

# Hash of a recipe: the files that define an image. A change rebuilds it.
# shellcheck disable=SC2068  # the patterns are globbed inside $LAB_DIR on purpose
recipe_hash() { (cd "$LAB_DIR" && cat $@ | sha256sum | cut -c1-16); }
vm_recipe() { recipe_hash build-vm.sh vm/packages 'vm/files/*'; }
host_recipe() { printf '%s-%s' "$1" "$(recipe_hash build-host.sh 'host/*')"; }   # host_recipe RELEASE

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
