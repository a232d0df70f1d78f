#!/usr/bin/env bash
# sockperf ping-pong latency against `sockperf server` and against `udpecho server --protocol sockperf`, side
# by side: rounds A B A B on loopback, each server alone on CPU 0 and sockperf's client on CPU 1, the same
# message size and duration. Prints one line per round and the medians of sockperf's own figures, in us.
#   bench/sockperf-latency.sh [--rounds N] [--duration S] [--size BYTES] [--transport native|epoll|nio]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rounds=5 duration=10 size=64 transport=native
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --transport) transport="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "sockperf-latency.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
command -v sockperf >/dev/null || { echo "sockperf-latency.sh: sockperf is not installed (apt-get install -y sockperf)" >&2; exit 2; }
./udpecho --version >/dev/null
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=11111

start_server() { # $1: sockperf|udpecho
  if [ "$1" = sockperf ]; then
    taskset -c 0 sockperf server -i 127.0.0.1 -p "$port" >"$work/server.log" 2>&1 &
  else
    taskset -c 0 ./udpecho server --protocol sockperf --bind 127.0.0.1 --port "$port" --quiet --workers 1 \
      --rate-limit 0 --transport "$transport" >"$work/server.log" 2>&1 &
  fi
  server_pid=$!
  for _ in $(seq 100); do # until it answers
    sockperf ping-pong -i 127.0.0.1 -p "$port" -t 1 --msg-size "$size" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "sockperf-latency.sh: the $1 server did not answer" >&2; cat "$work/server.log" >&2; exit 1
}

echo "sockperf ping-pong, $size-byte messages, ${duration} s a round, $rounds rounds; udpecho on $transport"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs; kernel $(uname -r)"
echo "command: bench/sockperf-latency.sh --rounds $rounds --duration $duration --size $size --transport $transport"
printf '%-6s %-9s %10s %8s %8s %8s %8s %8s\n' round server avg_us p50 p99 p99.9 max replies
for r in $(seq "$rounds"); do
  for s in sockperf udpecho; do
    start_server "$s"
    taskset -c 1 sockperf ping-pong -i 127.0.0.1 -p "$port" -t "$duration" --msg-size "$size" >"$work/client.log" 2>&1
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    sed 's/\x1b\[[0-9;]*m//g' "$work/client.log" | awk -v r="$r" -v s="$s" '
      /Valid Duration/ { for (i = 1; i <= NF; i++) if ($i ~ /^ReceivedMessages=/) { split($i, a, "="); n = a[2] } }
      /avg-latency=/ { sub(/.*avg-latency=/, ""); split($0, a, " "); avg = a[1] }
      /percentile 50.000 =/ { p50 = $NF } /percentile 99.000 =/ { p99 = $NF } /percentile 99.900 =/ { p999 = $NF }
      /<MAX> observation =/ { max = $NF }
      END { printf "%-6s %-9s %10s %8s %8s %8s %8s %8s\n", r, s, avg, p50, p99, p999, max, n }'
  done
done | tee "$work/rounds"
awk 'NR > 0 { avg[$2] = avg[$2] " " $3; p50[$2] = p50[$2] " " $4; p99[$2] = p99[$2] " " $5 }
  function median(list,   a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { for (s in avg) printf "median %-9s avg %s us, p50 %s us, p99 %s us\n", s, median(avg[s]), median(p50[s]), median(p99[s])
        printf "udpecho / sockperf: avg %.2fx, p50 %.2fx, p99 %.2fx\n", median(avg["udpecho"]) / median(avg["sockperf"]),
          median(p50["udpecho"]) / median(p50["sockperf"]), median(p99["udpecho"]) / median(p99["sockperf"]) }' "$work/rounds"
