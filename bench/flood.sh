#!/usr/bin/env bash
# What a flood costs the server per datagram, answered or not: server CPU time per datagram it read, for a
# flood it answers, one its access list denies, and one over its rate limit, each with 1 and 2 workers. The
# flood (bench/target/flood) comes at a fixed rate from 64 source ports, so that both workers get a share; with
# 2 workers the server may use both CPUs, so a cost that grows from 1 to 2 workers is contention between them
# (a shared lock or cache line). Rounds run every case in turn: A B C ... A B C. Loopback only.
#   bench/flood.sh [--rounds N] [--rate PPS] [--duration S] [--size N] [--define NAME=COMMAND ...]
set -euo pipefail
script=flood.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command_line="bench/flood.sh$(for a in "$@"; do quote "$a"; done)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

rounds=3 rate=200000 duration=5 size=64
server='./udpecho server --port 0 --quiet'
cases='answered denied limited'
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) need "$@"; rounds="$2"; shift 2 ;;
    --rate) need "$@"; rate="$2"; shift 2 ;;
    --duration) need "$@"; duration="$2"; shift 2 ;;
    --size) need "$@"; size="$2"; shift 2 ;;
    --server) need "$@"; server="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; echo "  --server COMMAND  the server, without the options of each case (default: $server)"; exit 0 ;;
    *) die "unknown argument '$1'" ;;
  esac
done
whole --rounds "$rounds" 1 100
whole --size "$size" 0 65000
seconds --duration "$duration"
declare -A options=(
  [answered]='--rate-limit 0'
  [denied]='--rate-limit 0 --deny 127.0.0.0/8'
  [limited]='--rate-limit 100'
)

"$root/bench/build.sh"
./udpecho --version >/dev/null
export UDPECHO_NO_BUILD=1
work="$(mktemp -d "${TMPDIR:-/tmp}/udpecho-flood.XXXXXX")"
server_pid='' client_pid=''
trap cleanup EXIT
trap 'exit 130' INT TERM
ticks_per_s="$(getconf CLK_TCK)"

echo "# $command_line"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "kernel $(uname -r); flood of $rate datagrams/s of $size B from 64 ports for 2 + $duration s"
echo "# round case workers server_cpu_s received replied us_per_datagram"
results="$work/results"
: >"$results"
for round in $(seq "$rounds"); do
  for c in $cases; do
    for workers in 1 2; do
      log="$work/server.log"
      # shellcheck disable=SC2086
      bash -c "exec $server ${options[$c]} --workers $workers" >"$log" 2>&1 &
      server_pid=$!
      port="$(wait_port "server" "$log" "$server_pid")"
      sleep 1 # the JVM's start-up work, not counted
      t0="$(cpu_ticks "$server_pid")"
      bench/target/flood --port "$port" --rate "$rate" --size "$size" --sockets 64 --warmup 2 \
        --duration "$duration" >"$work/flood.out"
      t1="$(cpu_ticks "$server_pid")"
      stop_server
      summary="$(grep -m1 '^Summary:' "$log" || true)"
      received="$(sed -nE 's/^Summary: received ([0-9]+), replied ([0-9]+).*/\1/p' <<<"$summary")"
      replied="$(sed -nE 's/^Summary: received ([0-9]+), replied ([0-9]+).*/\2/p' <<<"$summary")"
      [ -n "$received" ] || die "no summary from the server; its output: $(tail -n 5 "$log")"
      line="$(awk -v r="$round" -v c="$c" -v w="$workers" -v t=$((t1 - t0)) -v hz="$ticks_per_s" \
        -v n="$received" -v a="$replied" \
        'BEGIN {printf "%s %s %s %.2f %d %d %.3f", r, c, w, t / hz, n, a, (n > 0 ? t / hz * 1e6 / n : 0)}')"
      # A run whose flood did not reach the server (it read under half of it) measures nothing: it is shown,
      # marked, and left out of the medians.
      if [ "$received" -lt $((rate * duration / 2)) ]; then
        echo "$line * (read under half the flood: left out)"
      else
        echo "$line" | tee -a "$results"
      fi
    done
  done
done

echo
echo "Medians of server CPU time per datagram read (us), over the runs not left out:"
awk '{k = $2 " workers=" $3; v[k] = v[k] " " $7} END {for (k in v) print k, v[k]}' "$results" | sort |
  while read -r name w rest; do
    median="$(tr ' ' '\n' <<<"$rest" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
    printf '  %-9s %-10s %s\n' "$name" "$w" "$median"
  done
