#!/usr/bin/env bash
# Load benchmark of the runtime: `blankett serve examples/orust` on loopback with a fresh
# database, driven from a second process.
#
#   benches/load/run.sh                     # renders, then durable submissions; about a minute
#   SECONDS_RENDER=20 SUBMISSIONS=8000 CONNECTIONS=128 benches/load/run.sh
#
# (a) page renders per second: GET of felanmälan's first question page with a session cookie
#     (session lookup, draft lookup, evaluation, HTML) — with wrk when installed
#     (`apt-get install wrk`), and with the driver, which also gives p50/p99;
# (b) durable submissions per second: the driver first fills in SUBMISSIONS drafts completely,
#     then POSTs every check page at once over CONNECTIONS connections (closed loop: the most
#     the server does); then, with fresh drafts, RATE (1000) a second on a fixed schedule (open
#     loop: the latency at that rate). Each 303 to the receipt comes after the submission's
#     commit (SQLite WAL, synchronous=FULL).
# Requests go only to 127.0.0.1, each phase bounded in count and time; the server is stopped at
# the end. A benchmark, not a test: it prints figures, it asserts nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PORT="${PORT:-18088}"
ADDR="127.0.0.1:$PORT"
CONNECTIONS="${CONNECTIONS:-64}"
SECONDS_RENDER="${SECONDS_RENDER:-10}"
SUBMISSIONS="${SUBMISSIONS:-4000}"
RATE="${RATE:-1000}"
WORK="$CARGO_TARGET_DIR/load-bench"
DATA="$WORK/data"

echo "== building (release)"
cargo build --release --quiet --bin blankett
cargo bench --quiet --bench load --no-run 2> /dev/null || cargo bench --bench load --no-run
BLANKETT="$CARGO_TARGET_DIR/release/blankett"
echo "cores: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "server and load generator share these cores"

rm -rf "$WORK"
mkdir -p "$DATA"
BLANKETT_SUBMIT_RATE_PER_ADDRESS_PER_MINUTE=100000000 BLANKETT_LOG="${BLANKETT_LOG:-warn}" "$BLANKETT" serve examples/orust --listen "$ADDR" --data "$DATA" \
    > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2> /dev/null || true; wait "$SERVER" 2> /dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://$ADDR/healthz" > /dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://$ADDR/healthz" > /dev/null || { cat "$WORK/server.log"; exit 1; }
echo "serving on $ADDR (pid $SERVER), data in $DATA"

echo
echo "== (a) page renders"
if command -v wrk > /dev/null; then
    # One session with a draft, its cookie on every request.
    curl -fsS -c "$WORK/cookies" -o "$WORK/felet.html" "http://$ADDR/orust/felanmalan/felet"
    COOKIE=$(awk '$6 == "blankett_session" {print $7}' "$WORK/cookies")
    echo "wrk, 1 thread, $CONNECTIONS connections, ${SECONDS_RENDER}s, one session:"
    wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_RENDER}s" --latency \
        -H "Cookie: blankett_session=$COOKIE" "http://$ADDR/orust/felanmalan/felet" | tee "$WORK/wrk.txt"
fi
echo "driver, $CONNECTIONS connections, ${SECONDS_RENDER}s, one session per connection:"
cargo bench --quiet --bench load -- render --addr "$ADDR" --connections "$CONNECTIONS" --seconds "$SECONDS_RENDER" \
    | tee "$WORK/render.txt"

echo
echo "== (b) durable submissions"
echo "closed loop: every connection posts its next check page as soon as the last is answered"
cargo bench --quiet --bench load -- submit --addr "$ADDR" --connections "$CONNECTIONS" --sessions "$SUBMISSIONS" --seconds 120 \
    | tee "$WORK/submit.txt"
echo "open loop: $RATE submissions a second on a fixed schedule, latency counted from the schedule"
cargo bench --quiet --bench load -- submit --addr "$ADDR" --connections "$CONNECTIONS" --sessions "$((RATE * 4))" \
    --rate "$RATE" --seconds 120 | tee "$WORK/submit_rate.txt"

echo
echo "== summary ($(nproc) cores, server and load generator together)"
python3 - "$WORK" <<'EOF'
import json, re, sys, pathlib
w = pathlib.Path(sys.argv[1])
def last_json(name):
    lines = [l for l in (w / name).read_text().splitlines() if l.startswith("{")]
    return json.loads(lines[-1])
if (w / "wrk.txt").exists():
    t = (w / "wrk.txt").read_text()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
    p50 = re.search(r"50%\s+([\d.]+\w+)", t)
    p99 = re.search(r"99%\s+([\d.]+\w+)", t)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    print(f"renders (wrk):    {float(rps.group(1)):8.0f}/s  p50 {p50.group(1)}  p99 {p99.group(1)}"
          + (f"  NON-2XX: {non2xx.group(1)}" if non2xx else ""))
r = last_json("render.txt")
print(f"renders (driver): {r['per_second']:8.0f}/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors']}")
s = last_json("submit.txt")
print(f"submissions, closed loop: {s['per_second']:6.0f}/s  p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms  "
      f"errors {s['errors']}  ({s['ok']} in {s['seconds']:.2f} s, {s['connections']} connections)")
s = last_json("submit_rate.txt")
print(f"submissions at {s['offered_per_second']:.0f}/s:   {s['per_second']:6.0f}/s  p50 {s['p50_ms']:.2f} ms  p99 {s['p99_ms']:.2f} ms  "
      f"errors {s['errors']}  ({s['ok']} in {s['seconds']:.2f} s)")
EOF
