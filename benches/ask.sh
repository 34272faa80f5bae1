#!/usr/bin/env bash
# ask benchmarks on a generated dataset (benches/ask_dataset.py): nearby (3 km), search and the
# filtered question list, each against /health in the same run, wrk at C connections.
#
#   benches/ask.sh [questions=1000000] [answers=3000000] [connections=64] [seconds=15]
#
# Needs wrk, curl and python3 (apt-get install -y wrk curl python3). ASK_BENCH_DIR keeps the
# dataset between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
questions=${1:-1000000}
answers=${2:-3000000}
connections=${3:-64}
seconds=${4:-15}
port=18433
base="http://127.0.0.1:$port"
cargo build --release --quiet
bin=target/release/maru
work=${ASK_BENCH_DIR:-$(mktemp -d)}
pid=
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT

if [ ! -f "$work/data/maru.db" ]; then
  MARU_LOG=warn "$bin" migrate --data-dir "$work/data"
  python3 benches/ask_dataset.py "$work/data/maru.db" "$questions" "$answers" | tee "$work/dataset.txt"
  /usr/bin/time -f "reindex: %e s, peak RSS %M KB" "$bin" reindex --data-dir "$work/data"
fi
MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
pid=$!
until curl -fs "$base/ready" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "maru did not start" >&2; exit 1; }
  sleep 0.05
done
echo "RSS after start with the dataset: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"

run() {
  echo "== $1"
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|Latency  |  50%|  99%|Non-2xx'
}
# Each endpoint runs twice: the first pass starts on cold caches (every list page, search and
# cell read from the database once), the second measures the steady state.
twice() {
  run "$1 (first pass)" "${@:2}"
  run "$1 (second pass)" "${@:2}"
}
wrk -t2 -c"$connections" -d3s "$base/health" >/dev/null # warm-up
run "/health" "$base/health"
RADIUS_KM=3 twice "GET /api/v1/locations/nearby (3 km, random points)" -s benches/ask/nearby.lua "$base"
RADIUS_KM=3 SPOTS=200 twice "GET /api/v1/locations/nearby (3 km, 200 busy spots)" -s benches/ask/nearby.lua "$base"
twice "GET /api/v1/search (questions+answers, Korean place+topic, 1/3 by region)" -s benches/ask/search.lua "$base"
twice "GET /api/v1/questions (region, category, hashtag, sort, page 1-5)" -s benches/ask/list.lua "$base"
run "/health (again)" "$base/health"
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
