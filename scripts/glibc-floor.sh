#!/usr/bin/env bash
# The oldest glibc a native binary runs on: the highest GLIBC_x.y version among the symbols it imports
# (objdump -T). Fails when that is above the floor that README.md and docs/operations.md promise.
#   scripts/glibc-floor.sh BINARY
set -euo pipefail
promised=2.34 # glibc 2.34: Debian 12, Ubuntu 22.04, RHEL 9, Raspberry Pi OS Bookworm (the docs say so)
binary="$1"
needed=$(objdump -T "$binary" | grep -oE 'GLIBC_[0-9]+\.[0-9]+(\.[0-9]+)?' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
[ -n "$needed" ] || { echo "glibc-floor: no GLIBC symbol versions in $binary (not a glibc binary?)"; exit 1; }
if [ "$(printf '%s\n%s\n' "$needed" "$promised" | sort -V | tail -n 1)" != "$promised" ]; then
  echo "glibc-floor: $binary needs glibc $needed, above the promised $promised; these symbols need it:"
  objdump -T "$binary" | grep -F "GLIBC_$needed" | awk '{print "  " $NF}'
  exit 1
fi
echo "glibc-floor: $binary needs glibc >= $needed (promised: $promised)"
