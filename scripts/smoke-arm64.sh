#!/usr/bin/env bash
# The linux-arm64 binary (Raspberry Pi OS 64-bit, Graviton, ...) checked on an x64 machine: run it under
# qemu-user with the arm64 glibc of libc6-arm64-cross and an arm64 libssl3 unpacked by scripts/debs.sh (no arm64
# package is installed on this machine), then the same smoke tests as the x64 binary: scripts/smoke.sh and
# scripts/smoke-stream.sh. Also checks the glibc floor (scripts/glibc-floor.sh).
#   scripts/smoke-arm64.sh [BINARY]      (needs qemu-user-static and libc6-arm64-cross)
# DEBS_CACHE (see scripts/debs.sh) keeps the downloaded package between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-artifacts/publish/linux-arm64/certstream}")
sysroot=/usr/aarch64-linux-gnu
command -v qemu-aarch64-static >/dev/null || { echo "smoke-arm64: needs qemu-aarch64-static (apt package qemu-user-static)"; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "smoke-arm64: needs $sysroot (apt package libc6-arm64-cross)"; exit 1; }
scripts/glibc-floor.sh "$binary"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "smoke-arm64: unpacking the arm64 OpenSSL:"
scripts/debs.sh arm64 "$work/root" 'libssl3t64|libssl3' | sed 's/^/  /'
# The binary loads libssl.so.3 with dlopen at run time, so it goes on the library path; qemu -L resolves the
# loader and glibc from the cross sysroot.
cat > "$work/certstream" <<RUNNER
#!/bin/sh
exec env QEMU_LD_PREFIX="$sysroot" LD_LIBRARY_PATH="$work/root/usr/lib/aarch64-linux-gnu" qemu-aarch64-static "$binary" "\$@"
RUNNER
chmod +x "$work/certstream"
"$work/certstream" --version | sed 's/^/smoke-arm64: under qemu: /'
scripts/smoke.sh "$work/certstream"
scripts/smoke-stream.sh "$work/certstream"
