#!/usr/bin/env bash
# wellness benchmarks: batch ingestion over HTTP against a plain batched INSERT of the same rows
# (benches/wellness_ingest.py), then a year of minute-level heart rate read back as daily buckets
# (benches/wellness_year.py).
#
#   benches/wellness.sh [users=8] [batches_per_user=8] [connections=2]
#
# Needs curl, wrk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-8}
per_user=${2:-8}
connections=${3:-2}
port=18434
base="http://127.0.0.1:$port"
cargo build --release --quiet
bin=target/release/maru
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
pid=$!
until curl -fs "$base/ready" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "maru did not start" >&2; exit 1; }
  sleep 0.05
done
python3 benches/wellness_ingest.py "$base" "$work/baseline.db" "$users" "$per_user" "$connections"
python3 benches/wellness_year.py "$base"
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
