#!/usr/bin/env bash
# Build the lab VM: a Debian root with the cloud kernel (IPVS as modules) and a
# Docker engine, as a raw ext4 disk plus the kernel and initrd to boot it with.
# Output in $CACHE/vm-<recipe>/; nothing is rebuilt while the recipe is unchanged.
. "$(dirname "$0")/lib.sh"

out="$CACHE/vm-$(vm_recipe)"
[ -f "$out/vm.img" ] && { log "VM image cached: $out"; exit 0; }
[ "$(id -u)" = 0 ] || die "building the VM image needs root (debootstrap): run as root or with sudo"
need debootstrap debootstrap
need mkfs.ext4 e2fsprogs

mkdir -p "$CACHE" && work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
pkgs=$(grep -v '^#' "$LAB_DIR/vm/packages" | paste -sd, -)
start=$SECONDS
log "debootstrap $VM_SUITE for the VM from $(mirror) (about 1-2 min)"
mkdir -p "$CACHE/debs-vm"
debootstrap --variant=minbase --cache-dir="$CACHE/debs-vm" --include="$pkgs" "$VM_SUITE" "$root" "$(mirror)" \
  >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap of the VM failed"; }

f="$LAB_DIR/vm/files"
echo lvs-lab >"$root/etc/hostname"
echo "LABEL=root / ext4 defaults,noatime 0 1" >"$root/etc/fstab"
install -D -m 0644 "$f/10-eth0.network" "$root/etc/systemd/network/10-eth0.network"
install -D -m 0644 "$f/ipvs.conf" "$root/etc/modules-load.d/ipvs.conf"
install -D -m 0644 "$f/docker-tcp.conf" "$root/etc/systemd/system/docker.service.d/tcp.conf"
install -D -m 0644 "$f/daemon.json" "$root/etc/docker/daemon.json"
# root login on the VM's console and via ssh with the lab key, for debugging (`lab.sh ssh`)
mkdir -p "$CACHE" && [ -f "$CACHE/id_lab" ] || ssh-keygen -q -t ed25519 -N '' -f "$CACHE/id_lab"
install -D -m 0600 "$CACHE/id_lab.pub" "$root/root/.ssh/authorized_keys"
chroot "$root" systemctl enable systemd-networkd ssh docker >/dev/null 2>&1
chroot "$root" systemctl mask systemd-networkd-wait-online getty@tty1 >/dev/null 2>&1
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
cp -L "$root/vmlinuz" "$work/vmlinuz"
cp -L "$root/initrd.img" "$work/initrd.img"

log "writing the disk image (sparse, 12 GB)"
truncate -s 12G "$work/vm.img"
mkfs.ext4 -q -F -L root -d "$root" "$work/vm.img"
rm -rf "$root"
for old in "$CACHE"/vm-*; do   # older recipes, unless a running VM still uses one
  [ -d "$old" ] && ! pgrep -f "$old/vm.img" >/dev/null && rm -rf "$old"
done
mkdir -p "$out" && mv "$work"/vm.img "$work"/vmlinuz "$work"/initrd.img "$out/"
log "VM image built in $((SECONDS - start)) s: $out"
