#!/usr/bin/env bash
# assistant benchmarks: profile updates (PATCH, and the 202 path) with wrk at C connections
# and at set rates,
# fan-out of profile updates to 3 devices, memory per idle WebSocket subscriber, and the
# semantic-cache lookup at 100,000 entries.
#
#   benches/assistant.sh [connections=64] [seconds=15] [idle=10000]
#
# Needs wrk, curl and python3 (apt-get install -y wrk curl python3). Builds release binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-64}
seconds=${2:-15}
idle=${3:-10000}
port=18441
base="http://127.0.0.1:$port"
# Each subscriber is a socket on both sides: raise the open-file limit as far as allowed.
ulimit -n "$(ulimit -Hn)"
cargo build --release --quiet
cargo build --release --quiet -p assistant --example sync_load
bin=target/release/maru
load=target/release/examples/sync_load
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
pid=$!
until curl -fs "$base/ready" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "maru did not start" >&2; exit 1; }
  sleep 0.05
done
token=$(python3 benches/assistant_setup.py "$base" 64 "$work/bench.lua")
export ASSISTANT_BENCH_LUA="$work/bench.lua"
# Fan-out and idle subscribers use a session of their own, away from the queued 202 updates.
new_session() {
  curl -fs "$base/api/v1/assistant/sessions" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

run() {
  echo "== $1"
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|Latency  |  50%|  90%|  99%|Non-2xx'
}
wrk -t2 -c"$connections" -d3s "$base/health" >/dev/null # warm-up
run "/health" "$base/health"
run "PATCH /api/v1/assistant/sessions/{id}/profile (64 sessions, one event each)" -s benches/assistant/profile.lua "$base"
echo "== PATCH at set rates (open loop, latency from when each request was due)"
for rate in 1000 2000 3000 4000; do
  "$load" rate "$base" "$token" "$connections" "$rate" "$seconds"
done
# The batching writer works through what this queues for a while after: latency runs go first.
BATCH=1 run "POST /api/v1/assistant/sessions/{id}/profile:batch (202, 64 sessions)" -s benches/assistant/profile.lua "$base"
echo "== fan-out: PATCH to 3 subscribed devices, 2,000 updates at 100/s"
"$load" fanout "$base" "$token" "$(new_session)" 2000 100
echo "== $idle idle subscribers"
"$load" idle "$base" "$token" "$(new_session)" "$idle" "$pid"
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
echo "== semantic cache lookup, 100,000 entries"
cargo bench --quiet -p assistant --bench semantic 2>/dev/null | grep -E 'µs|ms'
