#!/usr/bin/env bash
# Apple Health import: a synthetic year-long export.xml (benches/apple_health_export.py) imported
# with `maru import apple-health` into a demo account, timed, with the importer's peak RSS; then
# imported again (every record a duplicate).
#
#   benches/apple_health.sh [days=365]
#
# Needs python3 and GNU time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
days=${1:-365}
cargo build --release --quiet
bin=target/release/maru
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/apple_health_export.py "$work/export.xml" "$days"
echo "export.xml: $(du -m "$work/export.xml" | cut -f1) MB"
export MARU_DATA_DIR="$work/data" MARU_LOG=warn
"$bin" demo >/dev/null
for run in first again; do
  echo "== import ($run)"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$bin" import apple-health "$work/export.xml" --user jiho
done
