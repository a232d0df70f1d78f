#!/usr/bin/env bash
# What `udpecho probe` costs with many targets: N echo targets (one Python process answering on N ports of
# 127.0.0.1, on CPU 0), one `./udpecho probe --targets-file` of them at one probe per target per interval (on
# CPU 1), with the JVM options ./udpecho gives a prober, /metrics scraped every --scrape seconds as Prometheus
# does (gzip). Per round: the prober's CPU over the measured seconds (after a warmup), its resident size at the
# end and at its peak, the probes per second and the loss its /metrics report.
#   bench/probe-cost.sh [--targets N] [--interval 1s] [--rounds N] [--warmup S] [--duration S] [--scrape S]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
targets=1000 interval=1s rounds=3 warmup=10 duration=30 scrape=15
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) targets="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --scrape) scrape="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "probe-cost.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
./udpecho --version >/dev/null
[ -x /usr/bin/python3 ] || { echo "probe-cost.sh: needs /usr/bin/python3" >&2; exit 2; }
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
taskset -c 0 /usr/bin/python3 - "$targets" "$work/targets" <<'PY' &
import selectors, socket, sys
n, path = int(sys.argv[1]), sys.argv[2]
sel = selectors.DefaultSelector()
ports = []
for _ in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    ports.append(s.getsockname()[1])
with open(path + ".tmp", "w") as f:
    f.writelines("127.0.0.1:%d\n" % p for p in ports)
import os
os.rename(path + ".tmp", path)
while True:
    for key, _ in sel.select():
        try:
            data, peer = key.fileobj.recvfrom(65536)
            key.fileobj.sendto(b"OK..." + data, peer)
        except OSError:
            pass
PY
for _ in $(seq 100); do [ -f "$work/targets" ] && break; sleep 0.1; done
[ -f "$work/targets" ] || { echo "probe-cost.sh: the echo targets did not start" >&2; exit 1; }
ticks="$(getconf CLK_TCK)"
echo "# bench/probe-cost.sh --targets $targets --interval $interval --rounds $rounds --warmup $warmup --duration $duration --scrape $scrape"
echo "# $(date -u +%FT%TZ), $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "round cpu_pct rss_mib peak_rss_mib probes_per_s loss_pct"
for round in $(seq "$rounds"); do
  taskset -c 1 ./udpecho probe --targets-file "$work/targets" --interval "$interval" --view off \
    --metrics 127.0.0.1:0 >"$work/probe.log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 200); do
    url="$(sed -n 's/^Metrics on \(http:.*\)$/\1/p' "$work/probe.log" | head -1)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "probe-cost.sh: the prober did not start" >&2; cat "$work/probe.log" >&2; exit 1; }
  sleep "$warmup"
  c0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  s0="$(curl -s --compressed "$url" | awk '/^udpecho_probe_sent_total/ {s += $2} END {printf "%d", s}')"
  t0=$(date +%s%N)
  for _ in $(seq $((duration / scrape))); do
    sleep "$scrape"
    curl -s --compressed "$url" >/dev/null
  done
  sleep $((duration % scrape))
  c1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  t1=$(date +%s%N)
  metrics="$(curl -s --compressed "$url")"
  s1="$(awk '/^udpecho_probe_sent_total/ {s += $2} END {printf "%d", s}' <<<"$metrics")"
  lost="$(awk '/^udpecho_probe_lost_total/ {s += $2} END {printf "%d", s}' <<<"$metrics")"
  rss="$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")"
  hwm="$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")"
  kill -TERM "$pid"; wait "$pid" || true # TERM: a background job ignores INT
  awk -v r="$round" -v c="$((c1 - c0))" -v hz="$ticks" -v t="$((t1 - t0))" -v s="$((s1 - s0))" -v all="$s1" \
      -v lost="$lost" -v rss="$rss" -v hwm="$hwm" \
      'BEGIN { printf "%d %.2f %s %s %.0f %.2f\n", r, 100 * c / hz / (t / 1e9), rss, hwm, s / (t / 1e9), all ? 100 * lost / all : 0 }'
done
