#!/usr/bin/env bash
# Writes a self-contained test config into DIR: a local log list (one RFC 6962 log on an unreachable
# loopback port, so the watcher retries quietly) and a config.yaml listening on 127.0.0.1:PORT.
#   scripts/smoke-config.sh DIR PORT
set -euo pipefail
dir="$1"; port="$2"
mkdir -p "$dir"
cat > "$dir/log_list.json" <<JSON
{"version":"1.0","log_list_timestamp":"2026-01-01T00:00:00Z","operators":[
 {"name":"Smoke","email":["smoke@example.org"],"logs":[
  {"description":"Smoke 'Unreachable' log","log_id":"","key":"","url":"http://127.0.0.1:9/unreachable/","mmd":86400,
   "state":{"usable":{"timestamp":"2026-01-01T00:00:00Z"}}}],"tiled_logs":[]}]}
JSON
cat > "$dir/config.yaml" <<YAML
webserver:
  listen_addr: "127.0.0.1"
  listen_port: $port
general:
  log_list_url: "$dir/log_list.json"
  recovery:
    enabled: true
    ct_index_file: "$dir/ct_index.json"
YAML
