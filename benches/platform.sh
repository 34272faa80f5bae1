#!/usr/bin/env bash
# Platform benchmarks: start-to-ready, idle memory, and HTTP throughput of /health against an
# authenticated GET /api/v1/users/me, measured in the same run with wrk.
#
#   benches/platform.sh [connections=64] [seconds=15]
#
# Needs wrk and curl (apt-get install -y wrk curl). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-64}
seconds=${2:-15}
port=18431
cargo build --release --quiet
bin=target/release/maru
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

# Start to ready: from exec to the first successful /ready, new empty data dir each time.
for i in 1 2 3 4 5; do
  rm -rf "$work/data"
  start=$(date +%s%N)
  MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do sleep 0.002; done
  end=$(date +%s%N)
  echo "start to ready (run $i, fresh data dir): $(( (end - start) / 1000000 )) ms"
  if [ "$i" -lt 5 ]; then kill $pid; wait $pid 2>/dev/null || true; fi
done
sleep 2
echo "idle RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

curl -fs "http://127.0.0.1:$port/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"username":"bench","email":"bench@example.kr","password":"benchmark password"}' >/dev/null
token=$(curl -fs "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"bench","password":"benchmark password"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

run() {
  echo "== $1"
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|Latency  |  50%|  99%|Non-2xx'
}
wrk -t2 -c"$connections" -d3s "http://127.0.0.1:$port/health" >/dev/null # warm-up
run "/health" "http://127.0.0.1:$port/health"
run "GET /api/v1/users/me (authenticated)" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users/me"
echo "RSS after load: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
