#!/usr/bin/env bash
# social benchmarks on a generated dataset (benches/social_dataset.py):
# - home feed page reads (latest and ranked) against /health, same run, wrk at C connections,
#   each connection signed in as one of 200 readers with a typical number of follows;
# - post create with fan-out to ~1k followers: request latency and time until the post is in a
#   follower's feed (benches/social_fanout.py);
# - feed reads while the most-followed account keeps posting;
# - peak RSS of the server.
#
#   benches/social.sh [users=100000] [posts=1000000] [connections=64] [seconds=15]
#
# Needs wrk, curl and python3 (apt-get install -y wrk curl python3).
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100000}
posts=${2:-1000000}
connections=${3:-64}
seconds=${4:-15}
port=18432
base="http://127.0.0.1:$port"
cargo build --release --quiet
bin=target/release/maru
work=${SOCIAL_BENCH_DIR:-$(mktemp -d)}
pid=
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
password="benchmark password"

start() {
  MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
  pid=$!
  until curl -fs "$base/ready" >/dev/null 2>&1; do sleep 0.05; done
}

if [ ! -f "$work/data/maru.db" ]; then
  start
  curl -fs "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"username\":\"bench_seed\",\"email\":\"seed@bench.maru.local\",\"password\":\"$password\"}" >/dev/null
  kill $pid; wait $pid 2>/dev/null || true
  python3 benches/social_dataset.py "$work/data/maru.db" "$users" "$posts" | tee "$work/dataset.txt"
fi
start
echo "RSS after start with the dataset: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

# 200 readers whose follow counts are near the median.
python3 benches/social_fanout.py tokens "$base" "$work/data/maru.db" "$password" > "$work/tokens.lua"

run() {
  echo "== $1"
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|Latency  |  50%|  99%|Non-2xx'
}
wrk -t2 -c"$connections" -d3s "$base/health" >/dev/null # warm-up
run "/health" "$base/health"
# Each feed is warmed up first: the readers' first pages are built, and the database pages
# they need read in, before the steady state is measured.
for filter in "filter=latest" ""; do
  wrk -t2 -c"$connections" -d5s -s "$work/tokens.lua" "$base/api/v1/feed?$filter" >/dev/null
  if [ -n "$filter" ]; then label="latest"; else label="ranked"; fi
  run "GET /api/v1/feed ($label, 200 readers)" -s "$work/tokens.lua" "$base/api/v1/feed?$filter"
done

echo "== post create with fan-out, and fan-out completion"
python3 benches/social_fanout.py fanout "$base" "$work/data/maru.db" "$password"

echo "== feed reads while the most-followed account posts every 200 ms"
python3 benches/social_fanout.py celebrity "$base" "$work/data/maru.db" "$password" "$seconds" &
poster=$!
run "GET /api/v1/feed?filter=latest (200 readers, celebrity posting)" -s "$work/tokens.lua" "$base/api/v1/feed?filter=latest"
wait $poster || true
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
