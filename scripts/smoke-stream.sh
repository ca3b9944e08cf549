#!/usr/bin/env bash
# End-to-end smoke of a built binary, no internet needed: serve the in-repo fake CT log (one RFC 6962 and one
# static-ct log, both growing), point the binary at it, and wait until /latest.json holds certificates from
# both kinds of log; then SIGTERM and expect exit code 0.
#   scripts/smoke-stream.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-artifacts/publish/linux-x64/certstream}"
bench=bench/Certstream.Bench/bin/Release/net10.0/Certstream.Bench.dll
[ -f "$bench" ] || dotnet build bench/Certstream.Bench -c Release >/dev/null
dir=$(mktemp -d)
fake_port=$(scripts/free-port.sh)
port=$(scripts/free-port.sh)
dotnet "$bench" fake-log --port "$fake_port" >"$dir/fake.log" 2>&1 &
fake=$!
pid=
trap 'kill -9 $fake ${pid:-} 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q "log_list.json" "$dir/fake.log" && break; sleep 0.1; done
list=$(head -n 1 "$dir/fake.log")
cat > "$dir/config.yaml" <<YAML
webserver:
  listen_addr: "127.0.0.1"
  listen_port: $port
general:
  log_list_url: "$list"
  poll_interval: 0.5
  partial_tile_timeout: 1
YAML
"$binary" --config "$dir/config.yaml" >"$dir/out.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
  latest=$(curl -s "http://127.0.0.1:$port/latest.json" || true)
  if grep -q '"type":"rfc6962"' <<<"$latest" && grep -q '"type":"tiled"' <<<"$latest"; then break; fi
  kill -0 $pid 2>/dev/null || { echo "smoke-stream: server exited early"; cat "$dir/out.log"; exit 1; }
  sleep 0.1
done
grep -q '"type":"rfc6962"' <<<"$latest" && grep -q '"type":"tiled"' <<<"$latest" \
  || { echo "smoke-stream: no certificates from both log kinds in /latest.json within 20 s"; cat "$dir/out.log"; exit 1; }
count=$(grep -o '"cert_index"' <<<"$latest" | wc -l)
kill -TERM $pid
code=0
wait $pid || code=$?
[ "$code" -eq 0 ] || { echo "smoke-stream: exit code $code after SIGTERM"; cat "$dir/out.log"; exit 1; }
echo "smoke-stream: OK (certificates from an RFC 6962 and a static-ct log streamed; /latest.json held $count; exit 0 after SIGTERM)"
