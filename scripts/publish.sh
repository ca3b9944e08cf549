#!/usr/bin/env bash
# Publishes the Native AOT binary for one runtime identifier (default: this machine's).
#   scripts/publish.sh [RID] [OUTPUT_DIR]
# Tries net10.0 first. When the net10 NativeAOT runtime pack cannot be restored (as on mirrors that
# lack it), it says so and publishes with the net9 ILCompiler instead (-p:TargetFramework=net9.0).
# Fails on any trim/AOT warning. Prints the binary path and size.
set -euo pipefail
cd "$(dirname "$0")/.."

rid="${1:-}"
if [ -z "$rid" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) rid=linux-x64 ;;
    Linux-aarch64|Linux-arm64) rid=linux-arm64 ;;
    Darwin-arm64) rid=osx-arm64 ;;
    *) rid=win-x64 ;;
  esac
fi
out="${2:-artifacts/publish/$rid}"
project=src/Certstream.Aot
log=$(mktemp)
trap 'rm -f "$log"' EXIT

publish() { # $1 = target framework
  local tfm="$1"
  echo "publish.sh: restoring $project for $tfm/$rid (Native AOT)"
  if ! dotnet restore "$project" -r "$rid" -p:TargetFramework="$tfm" -p:PublishAot=true >"$log" 2>&1; then
    return 1
  fi
  echo "publish.sh: publishing $tfm/$rid"
  dotnet publish "$project" -c Release -r "$rid" -p:TargetFramework="$tfm" --no-restore -o "$out" 2>&1 | tee -a "$log"
  return "${PIPESTATUS[0]}"
}

rm -rf "$out"
if ! publish net10.0; then
  if grep -q "NU1101.*NativeAOT" "$log"; then
    echo "publish.sh: the net10 NativeAOT runtime pack cannot be restored here:"
    grep "NU1101" "$log" | head -n 1 | sed 's/^/  /'
    echo "publish.sh: falling back to the net9 Native AOT compiler (-p:TargetFramework=net9.0)"
    publish net9.0 || { cat "$log"; exit 1; }
  else
    cat "$log"
    exit 1
  fi
fi

# Zero trim/AOT warnings (IL2xxx trimming, IL3xxx AOT/single-file) is a release requirement.
if grep -E "warning IL[23][0-9]{3}" "$log"; then
  echo "publish.sh: trim/AOT warnings found (above)" >&2
  exit 1
fi
warnings=$(grep -cE "warning [A-Z]+[0-9]+" "$log" || true)

binary="$out/certstream"
[ -f "$binary.exe" ] && binary="$binary.exe"
[ -f "$binary" ] || { echo "publish.sh: no binary at $binary" >&2; exit 1; }
size=$(stat -c %s "$binary" 2>/dev/null || stat -f %z "$binary")
echo "publish.sh: binary $binary"
echo "publish.sh: size $size bytes ($(awk "BEGIN{printf \"%.1f\", $size/1048576}") MiB), build warnings: $warnings"
