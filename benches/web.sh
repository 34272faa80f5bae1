#!/usr/bin/env bash
# Web pages: server render time under load, with wrk, on the demo data. Pages are measured
# signed in (minji for 동네물어봐, demo for ration), each against /health in the same run.
#
#   benches/web.sh [connections=64] [seconds=10]
#
# Needs wrk, curl and python3 (apt-get install -y wrk curl). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-64}
seconds=${2:-10}
port=18432
base="http://127.0.0.1:$port"
cargo build --release --quiet
bin=target/release/maru
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

MARU_LOG=warn "$bin" demo --data-dir "$work/data" >/dev/null
MARU_RATE_LIMITS=off MARU_LOG=warn "$bin" serve --listen 127.0.0.1:$port --data-dir "$work/data" &
pid=$!
until curl -fs "$base/ready" >/dev/null 2>&1; do sleep 0.05; done

# A browser session: the CSRF cookie from a page, then the sign-in form.
session() {
  local jar="$work/$1.jar"
  local csrf
  csrf=$(curl -fs -c "$jar" -b "$jar" "$base/login" | sed -nE 's/.*name="csrf-token" content="([0-9a-f]+)".*/\1/p')
  curl -fs -o /dev/null -c "$jar" -b "$jar" "$base/login" --data "csrf=$csrf&login=$1&password=maru-demo-2026"
  awk '$6 ~ /^maru_/ { printf "%s=%s; ", $6, $7 }' "$jar"
}
minji=$(session minji)
demo=$(session demo)
token=$(curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"demo","password":"maru-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
question=$(curl -fs "$base/api/v1/questions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["questions"][0]["id"])')
read -r farm formulation < <(curl -fs "$base/api/v1/ration/farms" -H "authorization: Bearer $token" | python3 -c '
import json, sys, urllib.request
farm = json.load(sys.stdin)[-1]["id"]
req = urllib.request.Request(f"'"$base"'/api/v1/ration/farms/{farm}/formulations", headers={"authorization": "Bearer '"$token"'"})
print(farm, json.load(urllib.request.urlopen(req))[0]["id"])')

minji_token=$(curl -fs "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"minji","password":"maru-demo-2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
post=$(curl -fs "$base/api/v1/feed?filter=latest" -H "authorization: Bearer $minji_token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
chat=$(curl -fs "$base/api/v1/assistant/sessions" -H "authorization: Bearer $minji_token" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')

# Each page is warmed up for 2 s first (its caches filled, as a page read again and again has
# them), then measured.
run() {
  echo "== $1"
  shift
  wrk -t2 -c"$connections" -d2s "$@" >/dev/null
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | grep -E 'Requests/sec|Latency  |  50%|  99%|Non-2xx'
}
wrk -t2 -c"$connections" -d3s "$base/health" >/dev/null # warm-up
run "/health" "$base/health"
run "/ (home, signed in)" -H "Cookie: $minji" "$base/"
run "/ask (list, anonymous)" "$base/ask"
run "/ask/q/{id} (question, signed in)" -H "Cookie: $minji" "$base/ask/q/$question"
run "/ask/me (points, signed in)" -H "Cookie: $minji" "$base/ask/me"
run "/wellness (dashboard, five charts, signed in)" -H "Cookie: $minji" "$base/wellness"
run "/wellness/goals (rings, signed in)" -H "Cookie: $minji" "$base/wellness/goals"
run "/wellness/alerts (alerts and tips, signed in)" -H "Cookie: $minji" "$base/wellness/alerts"
run "/social (ranked feed, signed in)" -H "Cookie: $minji" "$base/social"
run "/social?filter=latest (latest feed, signed in)" -H "Cookie: $minji" "$base/social?filter=latest"
run "/social/p/{id} (post with comments, signed in)" -H "Cookie: $minji" "$base/social/p/$post"
run "/social/u/jiho (profile, signed in)" -H "Cookie: $minji" "$base/social/u/jiho"
run "/assistant/s/{id} (chat, signed in)" -H "Cookie: $minji" "$base/assistant/s/$chat"
run "/admin (figures, admin)" -H "Cookie: $demo" "$base/admin"
run "/ration/farms/{farm} (feed table, signed in)" -H "Cookie: $demo" "$base/ration/farms/$farm"
run "/ration/.../formulations/{id} (recipe, signed in)" -H "Cookie: $demo" "$base/ration/farms/$farm/formulations/$formulation"
for page in "/" "/ask" "/ask/q/$question" "/ration/farms/$farm" "/ration/farms/$farm/formulations/$formulation"; do
  echo "size of $page: $(curl -fs -H "Cookie: $demo" "$base$page" | wc -c) bytes"
done
for page in "/social" "/social/p/$post" "/social/u/jiho" "/assistant/s/$chat" "/wellness/goals"; do
  echo "size of $page: $(curl -fs -H "Cookie: $minji" "$base$page" | wc -c) bytes"
done
echo "size of /wellness?range=month: $(curl -fs -H "Cookie: $minji" "$base/wellness?range=month" | wc -c) bytes"
echo "app.js: $(curl -fs "$base$(curl -fs "$base/" | sed -nE 's/.*<script src="([^"]+)".*/\1/p')" | wc -c) bytes"
