#!/usr/bin/env bash
# What `udpecho bench --mode rate` costs its own machine: for each client jar and rate, in rounds A B A B, the
# client's CPU while measuring (the summary's figure), its CPU over the whole process (JVM start included, from
# /proc), the send lag and the round trip. One `udpecho server --quiet` on CPU 0 serves every round; the client
# runs on CPU 1, with the JVM options ./udpecho gives it (class-data sharing aside).
#   bench/rate-cpu.sh [--rounds N] [--rates "1000 20000"] [--duration S] [LABEL=JAR ...]
# Without LABEL=JAR it measures ./udpecho's jar as "main".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds=3 rates="1000 20000" duration=10
clients=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *=*) clients+=("$1"); shift ;;
    *) echo "rate-cpu.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
./udpecho --version >/dev/null
[ ${#clients[@]} -gt 0 ] || clients=("main=$root/udpecho-cli/target/udpecho.jar")
command -v /usr/bin/python3 >/dev/null || { echo "rate-cpu.sh: needs /usr/bin/python3" >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
taskset -c 0 ./udpecho server --bind 127.0.0.1 --port 0 --quiet >"$work/server.log" 2>&1 &
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/.*udp:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "rate-cpu.sh: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
ticks="$(getconf CLK_TCK)"
echo "round client rate summary_cpu_pct process_cpu_pct send_lag_p50_us send_lag_p99_us rtt_p50_us rtt_p99_us"
for round in $(seq "$rounds"); do
  for rate in $rates; do
    for c in "${clients[@]}"; do
      label="${c%%=*}" jar="${c#*=}"
      start=$(date +%s%N)
      taskset -c 1 java -XX:+UseSerialGC -Xms16m -Xmx256m -jar "$jar" bench --port "$port" --mode rate --rate "$rate" --duration "${duration}s" \
        --json "$work/run.json" >/dev/null 2>&1 &
      pid=$!
      cpu=0
      while kill -0 "$pid" 2>/dev/null; do # the last reading before it exits: utime + stime
        c2="$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)"
        [ -n "$c2" ] && cpu="$c2"
        sleep 0.2
      done
      wait "$pid"
      end=$(date +%s%N)
      /usr/bin/python3 - "$work/run.json" "$round" "$label" "$rate" "$cpu" "$ticks" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rnd, label, rate, cpu, ticks, start, end = sys.argv[2:]
process = 100.0 * int(cpu) / int(ticks) / ((int(end) - int(start)) / 1e9)
lag, rtt = d.get("send_lag_us") or {}, d["rtt_us"]
print(rnd, label, rate, "%.1f" % d["client_cpu_pct"], "%.1f" % process, lag.get("p50"), lag.get("p99"),
      rtt["p50"], rtt["p99"])
PY
    done
  done
done
