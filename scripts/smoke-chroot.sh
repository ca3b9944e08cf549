#!/usr/bin/env bash
# The native binary needs nothing a distroless (Ubuntu chiseled runtime-deps) image lacks, checked without Docker:
# assemble a root filesystem from Debian packages unpacked with scripts/debs.sh (glibc, libssl3, ca-certificates;
# nothing installed on this machine), lay it out as Dockerfile.chiseled does (/app/certstream, /app/config,
# /app/data owned by 1654, user 1654), give it what a container runtime gives (/proc, /sys, a small /dev,
# /dev/shm, /tmp), and run scripts/smoke-stream.sh with the binary inside it (chroot). The log list comes over
# HTTPS (openssl s_server, certificate from a test CA appended to the root's CA bundle), so the trust-store path
# is exercised too. strace records every file the binary touches; the script prints them and fails when one
# that opened is outside the image's contents.
#   scripts/smoke-chroot.sh [BINARY]      (as root: chroot and mount; the mounts live in a private namespace)
# DEBS_CACHE (see scripts/debs.sh) keeps the downloaded packages between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=$(realpath "${1:-artifacts/publish/linux-x64/certstream}")
[ "$(id -u)" -eq 0 ] || { echo "smoke-chroot: needs root (chroot, mount)"; exit 1; }
command -v strace >/dev/null || { echo "smoke-chroot: needs strace"; exit 1; }
if [ -z "${SMOKE_CHROOT_NAMESPACE:-}" ]; then # a private mount namespace: nothing mounted below outlives us
  SMOKE_CHROOT_NAMESPACE=1 exec unshare --mount --propagation private "$0" "$binary"
fi

work=$(mktemp -d)
root="$work/root"
tls_server=
trap 'kill ${tls_server:-} 2>/dev/null || true; umount -R "$root/proc" "$root/sys" "$root/dev" 2>/dev/null || true
      rm -rf --one-file-system "$work"' EXIT

# What noble-chiseled runtime-deps holds for a binary like ours (dotnet-docker's Dockerfile: chisel slices
# base-files, ca-certificates_data, libc6_libs, libgcc-s1_libs, libssl3t64_libs, libstdc++6_libs). We unpack
# less: no libgcc-s1 or libstdc++6 (the binary links neither) and no tzdata (the image has none).
echo "smoke-chroot: unpacking into $root:"
scripts/debs.sh "$(dpkg --print-architecture)" "$root" libc6 'libssl3t64|libssl3' ca-certificates | sed 's/^/  /'
# ca-certificates' install script builds the bundle (update-ca-certificates); chisel's ca-certificates_data
# slice does the same. dpkg-deb -x runs no scripts, so build it here.
# A test CA for the HTTPS log list goes into the same bundle.
mkdir -p "$root/etc/ssl/certs" "$work/tls/www"
(
  cd "$work/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj "/CN=certstream smoke CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile server.ext 2>/dev/null
)
cat "$root"/usr/share/ca-certificates/*/*.crt "$work/tls/ca.crt" > "$root/etc/ssl/certs/ca-certificates.crt"
tls_port=$(scripts/free-port.sh)
(cd "$work/tls/www" && exec openssl s_server -quiet -accept "127.0.0.1:$tls_port" -cert ../server.crt -key ../server.key -WWW) \
  >"$work/tls/server.log" 2>&1 &
tls_server=$!
# base-files and the image's users: root and app (1654), home /home/app.
mkdir -p "$root/tmp" "$root/home/app" "$root/proc" "$root/sys" "$root/dev"
chmod 1777 "$root/tmp"
chown 1654:1654 "$root/home/app"
printf 'root:x:0:0:root:/root:/noshell\napp:x:1654:1654::/home/app:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\napp:x:1654:\n' > "$root/etc/group"
# Dockerfile.chiseled's layout.
mkdir -p "$root/app/config" "$root/app/data"
cp "$binary" "$root/app/certstream"
chown 1654:1654 "$root/app/data"

# What a container runtime provides: /proc, a read-only /sys, /dev with the usual nodes and /dev/shm.
mount -t proc proc "$root/proc"
mount --rbind -o ro /sys "$root/sys"
mount -t tmpfs -o mode=755,nosuid tmpfs "$root/dev"
for node in null zero full random urandom tty; do touch "$root/dev/$node"; mount --bind "/dev/$node" "$root/dev/$node"; done
mkdir -p "$root/dev/shm" && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"

# smoke-stream.sh runs "RUNNER --config FILE": the runner serves FILE's log list over HTTPS, copies FILE with that
# URL to the image's config path and starts the image's ENTRYPOINT as docker run would: chroot, WORKDIR /app,
# USER 1654, only the image's environment. strace -D keeps out of the way: the binary is the runner's own
# process, so smoke-stream's SIGTERM and exit-code check reach it directly.
cat > "$work/runner" <<RUNNER
#!/bin/sh
list=\$(sed -n 's/^ *log_list_url: *"\\(.*\\)"\$/\\1/p' "\$2")
curl -sf "\$list" > "$work/tls/www/log_list.json"
sed "s|\$list|https://127.0.0.1:$tls_port/log_list.json|" "\$2" > "$root/app/config/config.yaml"
exec env -i "\$(command -v strace)" -D -f -qq -e trace=%file -o "$work/strace.log" "\$(command -v python3)" -c '
import os
os.chroot("$root"); os.chdir("/app"); os.setgroups([]); os.setgid(1654); os.setuid(1654)
os.execve("/app/certstream", ["/app/certstream", "--config", "/app/config/config.yaml"], {
  "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": "certstream", "HOME": "/home/app",
  "APP_UID": "1654", "ASPNETCORE_HTTP_PORTS": "8080", "DOTNET_RUNNING_IN_CONTAINER": "true",
  "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "true"})'
RUNNER
chmod +x "$work/runner"
scripts/smoke-stream.sh "$work/runner"

# The strace log: what the binary itself did (from its execve on; the runner's own lookups come before it).
for _ in $(seq 1 50); do grep -q '+++ exited with' "$work/strace.log" 2>/dev/null && break; sleep 0.1; done
awk '/execve\("\/app\/certstream"/{on=1} on' "$work/strace.log" > "$work/binary.log"
paths() { grep -oE '"/[^"]*"' | tr -d '"' | sort -u; }
opened=$(grep -E 'open(at)?\(' "$work/binary.log" | grep -v O_DIRECTORY | grep -vE '= -1 ' | paths)
# Leave out the dynamic loader's search-path probes (hwcaps subdirectories, the library dirs it tried first).
absent=$(grep -E '= -1 ENOENT' "$work/binary.log" | paths | awk -v found="$opened" '
  BEGIN { n = split(found, f, "\n"); for (i = 1; i <= n; i++) { b = f[i]; sub(/.*\//, "", b); lib[b] = 1 } }
  { b = $0; sub(/.*\//, "", b) }
  $0 ~ /^\/(usr\/)?lib(64)?\// && (b in lib) { next }
  $0 ~ /\/(tls|haswell|avx512_1|glibc-hwcaps|x86_64|aarch64)(\/|$)/ { next }
  { print }')
echo "smoke-chroot: files the binary opened:"
sed 's/^/  /' <<<"$opened"
echo "smoke-chroot: files it looked for, found absent and did without:"
sed 's/^/  /' <<<"$absent"
echo "smoke-chroot: inotify watches: $(grep -c 'inotify_add_watch(.*= [0-9]' "$work/binary.log" || true)"
# Everything it used must be something the chiseled image has or the container runtime provides.
unexpected=$(grep -vE '^(/app/|/proc/|/sys/|/dev/(null|zero|urandom|random|shm/)|/tmp/|/home/app/|/etc/ssl/|/usr/lib/ssl/|/etc/(passwd|group|hosts|resolv\.conf|nsswitch\.conf|host\.conf|gai\.conf|ld\.so\.cache)$|/(usr/)?lib(64)?/)' <<<"$opened" || true)
grep -qx /etc/ssl/certs/ca-certificates.crt <<<"$opened" \
  || { echo "smoke-chroot: the binary never read the CA bundle /etc/ssl/certs/ca-certificates.crt"; exit 1; }
if [ -n "$unexpected" ]; then
  echo "smoke-chroot: the binary used files a chiseled runtime-deps image does not have:"; sed 's/^/  /' <<<"$unexpected"
  exit 1
fi
echo "smoke-chroot: OK (streamed inside a root of $(du -sh --exclude=proc --exclude=sys --exclude=dev "$root" | cut -f1) holding only glibc, libssl3 and ca-certificates, as user 1654; log list over HTTPS)"
