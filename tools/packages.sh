#!/usr/bin/env bash
# Debian packages the lab and the tests need on the controller; installs only
# what is missing (apt-get as root, or through sudo).
set -euo pipefail
pkgs=(qemu-system-x86 qemu-utils debootstrap e2fsprogs openssh-client python3-venv git make)
command -v docker >/dev/null || pkgs+=(docker.io)   # only its client is used
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
echo "[packages] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
