#!/usr/bin/env bash
# The CSV report (issue 12) against the floor, the sqlite3 CLI exporting the same joined columns
# in the same order, on a database made by `adesao gen-load`:
#
#   cargo build --release
#   ADESAO_DATABASE_URL=sqlite:///tmp/load-1m.db target/release/adesao gen-load --requests 1000000
#   scripts/csv-bench.sh /tmp/load-1m.db
#   scripts/csv-bench.sh postgres://postgres@127.0.0.1:5432/load   # beside psql's \copy
#
# Prints the rows, seconds and the server's memory (VmRSS before, VmHWM = peak resident, and
# the peak of RssAnon, its own heap, sampled every 20 ms) while it streams the report as a
# program admin (show=todas: every row). Needs curl and sqlite3 (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
db=$1
port=${PORT:-18090}
case "$db" in
  postgres://*|postgresql://*) url=$db; floor=psql ;;
  *) url="sqlite://$db"; floor=sqlite3 ;;
esac
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
ADESAO_DATABASE_URL="$url" ADESAO_ADDR="127.0.0.1:$port" ADESAO_LOG=warn \
  target/release/adesao serve &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -sf "http://127.0.0.1:$port/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d '{"cpf": "045.134.689-04", "password": "adesao-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
before=$(kb VmRSS)
heap_before=$(kb RssAnon)
echo "$heap_before" > /tmp/csv-bench-anon
(peak=0; while kill -0 $pid 2>/dev/null; do a=$(kb RssAnon || echo 0); [ "${a:-0}" -gt "$peak" ] && peak=$a && echo "$peak" > /tmp/csv-bench-anon; sleep 0.02; done) &
sampler=$!
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/reports/requests.csv?show=todas" -o /tmp/csv-bench-report.csv
end=$(date +%s.%N)
hwm=$(kb VmHWM)
kill $sampler 2>/dev/null || true
rows=$(( $(wc -l < /tmp/csv-bench-report.csv) - 1 ))
query="SELECT r.number, r.request_type, rq.acronym || ' - ' || rq.name, a.name, \
  pv.acronym || ' - ' || pv.name, r.status, r.current_volume, r.requested_volume, r.authorized_volume, \
  r.last_event_at FROM requests r JOIN organizations rq ON rq.id = r.requester_id \
  JOIN organizations pv ON pv.id = r.provider_id JOIN apis a ON a.id = r.api_id \
  ORDER BY r.last_event_at DESC, r.id DESC"
fstart=$(date +%s.%N)
if [ "$floor" = psql ]; then
  psql "$db" -Atqc "\\copy ($query) TO STDOUT WITH (FORMAT csv, DELIMITER ';')" > /tmp/csv-bench-floor.csv
else
  sqlite3 -csv -separator ';' "$db" "$query" > /tmp/csv-bench-floor.csv
fi
fend=$(date +%s.%N)
frows=$(wc -l < /tmp/csv-bench-floor.csv)
echo "| export | rows | seconds | MB | server RSS before | peak RSS (VmHWM) | heap (RssAnon) before → peak |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '| adesao, GET /api/v1/reports/requests.csv | %d | %.2f | %d | %d MB | %d MB | %d → %d MB |\n' \
  "$rows" "$(echo "$end - $start" | bc)" $(( $(stat -c %s /tmp/csv-bench-report.csv) >> 20 )) \
  $(( before / 1024 )) $(( hwm / 1024 )) $(( heap_before / 1024 )) $(( $(cat /tmp/csv-bench-anon) / 1024 ))
printf '| %s, same join and order | %d | %.2f | %d | | | |\n' "$floor" \
  "$frows" "$(echo "$fend - $fstart" | bc)" $(( $(stat -c %s /tmp/csv-bench-floor.csv) >> 20 ))
