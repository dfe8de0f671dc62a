#!/usr/bin/env bash
# Unpacks a Debian package under .build/debian/NAME, once, and prints that path:
# its files without installing it (no daemon started, no root needed when the
# apt lists are there; a fresh machine gets them with apt-get update as root).
#   dir=$(bash tools/debian_package.sh prometheus)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
name=$1
dest=$top/.build/debian/$name
if [ ! -f "$dest/.stamp" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  # -o APT::Sandbox::User=root: the download goes straight to $tmp (_apt may not write there).
  download() { (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$name") >&2; }
  if ! download; then
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >&2
    download
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  dpkg-deb -x "$tmp"/*.deb "$dest"
  dpkg-deb -f "$tmp"/*.deb Version > "$dest/.stamp"
fi
echo "$dest"
