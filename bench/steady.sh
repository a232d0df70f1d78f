#!/usr/bin/env bash
# Steady state of ./udpecho server under saturating load: resident memory every few seconds, and the garbage
# collections once warm (none means nothing is allocated per datagram). Server on CPU 0, C client on CPU 1,
# loopback only. With --load bench, `udpecho bench` is the load instead: its batches are segmented sends, which
# the native server receives merged (receive-side GRO), so that path is the one measured.
#   bench/steady.sh [--load c|bench] [SECONDS] [extra server options...]      e.g. bench/steady.sh 60 --quiet
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
load=c
if [ "${1:-}" = --load ]; then
  load="${2:-}"
  shift 2 || true
fi
case "$load" in
  c|bench) ;;
  *) echo "steady.sh: --load takes c or bench, not '$load'" >&2; exit 2 ;;
esac
seconds="${1:-60}"
shift || true
bench/build.sh >/dev/null
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
# A small young generation makes any allocation per datagram show up as collections within seconds.
UDPECHO_JAVA_OPTS="-Xmn8m -Xlog:gc:file=$work/gc.log" taskset -c 0 ./udpecho server --port 0 "$@" >"$work/out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q 'Listening on' "$work/out" && break; sleep 0.1; done
port="$(grep -o 'Listening on udp://.*:[0-9]*' "$work/out" | head -n 1 | grep -o '[0-9]*$')"
if [ "$load" = bench ]; then
  taskset -c 1 ./udpecho bench --mode window --port "$port" --warmup 5s --duration "${seconds}s" --timeout 1s \
    >"$work/client" 2>&1 &
else
  taskset -c 1 bench/target/echo-client --port "$port" --duration "$seconds" --warmup 5 >"$work/client" &
fi
client=$!
sleep 5
warm_gcs="$(grep -c 'Pause' "$work/gc.log" || true)"
echo "t_s rss_kb gc_pauses_since_warm"
for ((t = 0; t <= seconds; t += 5)); do
  echo "$t $(awk '/VmRSS/ {print $2}' "/proc/$server/status") $(( $(grep -c 'Pause' "$work/gc.log" || true) - warm_gcs ))"
  [ "$t" -lt "$seconds" ] && sleep 5
done
wait "$client"
cat "$work/client"
echo "gc log: $(grep -c 'Pause' "$work/gc.log" || true) pauses in all, $warm_gcs during the first 5 s"
