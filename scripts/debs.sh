#!/usr/bin/env bash
# Unpacks Debian packages of one architecture into a directory, installing nothing on this machine:
#   scripts/debs.sh ARCH ROOT PACKAGE...
# Uses the machine's apt sources with a private package list (amd64 and arm64), so the host's apt state and
# dpkg architectures stay as they are. A PACKAGE may list alternatives, "a|b": the first that exists is taken
# (libssl3t64|libssl3: Debian 13 renamed it). The lists and the .debs stay in $DEBS_CACHE (default: a temporary
# directory removed at exit), so several calls with one DEBS_CACHE fetch the lists once.
# Prints "package version" for every package unpacked.
set -euo pipefail
arch="$1"; root="$2"; shift 2
cache="${DEBS_CACHE:-}"
if [ -z "$cache" ]; then cache=$(mktemp -d); trap 'rm -rf "$cache"' EXIT; fi
mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/debs/$arch" "$root"
apt_opts=(-q -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
  -o Dir::State::Lists="$cache/lists" -o Dir::Cache="$cache/archives"
  -o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin -o APT::Sandbox::User=root)
# (The pkgcache settings undo Debian container images' docker-clean, which turns the binary cache off and so makes
# every apt call re-read the 45 MB of lists.)
if ! compgen -G "$cache/lists/*_Packages*" >/dev/null; then
  apt-get "${apt_opts[@]}" update >"$cache/update.log" 2>&1 || { cat "$cache/update.log"; exit 1; }
fi
for wanted in "$@"; do
  name=
  for candidate in ${wanted//|/ }; do
    if [ -n "$(apt-cache "${apt_opts[@]}" show --no-all-versions "$candidate:$arch" 2>/dev/null)" ]; then name=$candidate; break; fi
  done
  [ -n "$name" ] || { echo "debs.sh: no package $wanted for $arch in the apt sources" >&2; exit 1; }
  deb=$(compgen -G "$cache/debs/$arch/${name}_*_*.deb" | head -n 1 || true)
  if [ -z "$deb" ]; then
    (cd "$cache/debs/$arch" && apt-get "${apt_opts[@]}" download "$name:$arch" >/dev/null)
    deb=$(compgen -G "$cache/debs/$arch/${name}_*_*.deb" | head -n 1)
  fi
  dpkg-deb -x "$deb" "$root"
  echo "$name $(dpkg-deb -f "$deb" Version)"
done
