#!/usr/bin/env bash
# Build the root filesystem of the lab hosts (directors, real servers, clients):
# systemd as PID 1 so roles manage services the normal way. No registry needed:
# the tarball is imported with `docker import` by lab.sh.
#   build-host.sh RELEASE     (bookworm, trixie: a Debian release debootstrap knows)
. "$(dirname "$0")/lib.sh"
suite="${1:?which Debian release}"

out="$CACHE/host-$(host_recipe "$suite").tar"
[ -f "$out" ] && { log "host image cached: $out"; exit 0; }
[ "$(id -u)" = 0 ] || die "building the host image needs root (debootstrap): run as root or with sudo"
need debootstrap debootstrap

mkdir -p "$CACHE" && work=$(mktemp -d "$CACHE/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
pkgs=$(grep -v '^#' "$LAB_DIR/host/packages" | paste -sd, -)
start=$SECONDS
log "debootstrap $suite for the lab hosts (about 1 min)"
mkdir -p "$CACHE/debs-host-$suite"
debootstrap --variant=minbase --cache-dir="$CACHE/debs-host-$suite" --include="$pkgs" "$suite" "$root" "$(mirror)" \
  >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap of the host image failed"; }
# No consoles in a container; keepalived is started by the director role, not by the package.
chroot "$root" systemctl mask getty@tty1 console-getty systemd-networkd-wait-online >/dev/null 2>&1
chroot "$root" systemctl disable nftables >/dev/null 2>&1 || true
# The director role starts node-exporter; a scenario starts Prometheus on its client.
chroot "$root" systemctl disable prometheus prometheus-node-exporter >/dev/null 2>&1 || true
# FRR runs on the hosts of the ecmp scenario only (the director role in director_mode ecmp, its router).
chroot "$root" systemctl disable frr >/dev/null 2>&1 || true
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/etc/hostname
: >"$root/etc/machine-id"
tar -C "$root" -cf "$work/host.tar" .
rm -f "$CACHE/host-$suite-"*.tar   # older recipes of this release
mv "$work/host.tar" "$out"
log "host image built in $((SECONDS - start)) s: $out"
