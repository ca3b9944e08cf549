#!/usr/bin/env bash
# Smoke run of a built binary: start it with a local test config on a free loopback port, wait until it
# answers HTTP, send SIGTERM, expect exit code 0.
#   scripts/smoke.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-artifacts/publish/linux-x64/certstream}"
dir=$(mktemp -d)
port=$(scripts/free-port.sh)
scripts/smoke-config.sh "$dir" "$port"
"$binary" --config "$dir/config.yaml" >"$dir/out.log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
answers() { # any HTTP status counts: the server is up and serving
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" 2>/dev/null)" != "000" ]
}
for _ in $(seq 1 100); do
  if answers; then break; fi
  if ! kill -0 $pid 2>/dev/null; then echo "smoke: server exited early"; cat "$dir/out.log"; exit 1; fi
  sleep 0.1
done
answers || { echo "smoke: no answer on port $port"; cat "$dir/out.log"; exit 1; }
kill -TERM $pid
code=0
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
wait $pid || code=$?
if [ "$code" -ne 0 ]; then echo "smoke: exit code $code after SIGTERM"; cat "$dir/out.log"; exit 1; fi
echo "smoke: OK (answered on 127.0.0.1:$port, exit 0 after SIGTERM)"
