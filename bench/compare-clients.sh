#!/usr/bin/env bash
# Compares UDP echo load clients against one fixed server (the C reference server by default), on loopback
# only: is a client the bottleneck? Each round starts the server afresh on port 0 (pinned to CPU 0), runs one
# client against it (pinned to CPU 1; --cpus changes both) in window mode, and stops it: rounds A B A B ... so
# that drift on a noisy machine hits every client alike. Prints the raw numbers of every round, the median per
# client, and its ratio to the first client (the reference).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bench/compare-clients.sh [options]
  --clients "A B ..."    clients to compare, the first is the reference (default: "c udpecho")
  --server COMMAND       the server; it must bind port 0 and print "Listening on udp://ADDR:PORT"
                         (default: the C reference, bench/target/echo-server --port 0)
  --rounds N             rounds, each running every client once (default 5)
  --duration S           seconds measured per run (default 5)
  --warmup S             seconds of load before measuring (default 3; the JVM needs about 2.5)
  --size N               payload bytes per datagram, 24 or more (default 64)
  --window N             datagrams in flight (default 64)
  --cpus S,C             CPU for the server and for the client (default 0,1)
  --retries N            run a client again, up to N times, when something else used more than 20% of a CPU
                         while it was measured (default 2; the last try counts, marked '!')
  --define NAME=COMMAND  add or replace a client; COMMAND gets the options below appended and must print
                         one line of key=value pairs as bench/target/echo-client does. Repeatable.

Clients: c (bench/c/echo-client.c), c-poll (the same, asking for replies without sleeping, as udpecho bench
does), udpecho (./udpecho bench --mode window), udpecho-nio (the same on the portable JDK transport). Each is run with --host 127.0.0.1 --port P --size N --window N --duration S --warmup S.
Java runs on $JAVA_HOME/bin/java if JAVA_HOME is set.

example: bench/compare-clients.sh --clients "c udpecho" --rounds 5
USAGE
}

script=compare-clients.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The command line heads the output, so that a pasted result says how to reproduce it.
command_line="bench/compare-clients.sh$(for a in "$@"; do quote "$a"; done)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java='java'
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
# udpecho bench writes JSON; bench/udpecho-line.sh turns it into the C client's line.
declare -A defs=(
  [c]='bench/target/echo-client --mode throughput'
  [c-poll]='bench/target/echo-client --mode throughput --poll'
  [udpecho]='bench/udpecho-line.sh ./udpecho bench --mode window --timeout 1s'
  [udpecho-nio]='bench/udpecho-line.sh ./udpecho bench --mode window --timeout 1s --transport nio'
)

clients='c udpecho' server='bench/target/echo-server --port 0' rounds=5 duration=5 warmup=3 size=64 window=64 cpus=0,1
retries=2
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) need "$@"; clients="$2"; shift 2 ;;
    --server) need "$@"; server="$2"; shift 2 ;;
    --rounds) need "$@"; rounds="$2"; shift 2 ;;
    --duration) need "$@"; duration="$2"; shift 2 ;;
    --warmup) need "$@"; warmup="$2"; shift 2 ;;
    --size) need "$@"; size="$2"; shift 2 ;;
    --window) need "$@"; window="$2"; shift 2 ;;
    --cpus) need "$@"; cpus="$2"; shift 2 ;;
    --retries) need "$@"; retries="$2"; shift 2 ;;
    --define)
      need "$@"
      [[ "$2" =~ ^([a-z0-9][a-z0-9._-]*)=(.+)$ ]] || die "invalid --define '$2' (expected NAME=COMMAND)"
      defs["${BASH_REMATCH[1]}"]="${BASH_REMATCH[2]}"
      shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
whole --rounds "$rounds" 1 1000
seconds --duration "$duration"
seconds --warmup "$warmup"
whole --size "$size" 24 65502 # 24: udpecho bench's header; 65502: room for the 5-byte prefix over IPv4
whole --window "$window" 1 4096
whole --retries "$retries" 0 100
read -r -a names <<<"$clients"
[ ${#names[@]} -ge 1 ] || die "--clients is empty"
for name in "${names[@]}"; do
  [ -n "${defs[$name]+set}" ] || die "unknown client '$name' (known: $(printf '%s\n' "${!defs[@]}" | sort | xargs); add one with --define)"
done
[[ "$cpus" =~ ^([0-9]+),([0-9]+)$ ]] || die "invalid --cpus '$cpus' (SERVER,CLIENT, e.g. 0,1)"
server_cpu="${BASH_REMATCH[1]}" client_cpu="${BASH_REMATCH[2]}"
for cpu in "$server_cpu" "$client_cpu"; do
  [ "$cpu" -lt "$(nproc)" ] || die "invalid --cpus '$cpus' (this machine has CPUs 0 to $(( $(nproc) - 1 )))"
done

"$root/bench/build.sh"
# Build udpecho's jar once here, so that no client start pays for (or races) a build.
for name in "${names[@]}" server; do
  case "${defs[$name]:-$server}" in
    *./udpecho*) ./udpecho --version >/dev/null; break ;;
  esac
done
export UDPECHO_NO_BUILD=1

work="$(mktemp -d "${TMPDIR:-/tmp}/udpecho-compare-clients.XXXXXX")"
server_pid='' client_pid=''
trap cleanup EXIT
trap 'exit 130' INT TERM


ticks_per_s="$(getconf CLK_TCK)"
results="$work/results" # lines: round name server_cpu_pct machine_cpu_pct client-result-line
: >"$results"
echo "# $command_line"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "kernel $(uname -r), $("$java" -version 2>&1 | head -n1), udpecho $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# server: $server; size $size B, window $window, server on CPU $server_cpu, client on CPU $client_cpu," \
     "$rounds rounds of ${warmup} s warmup + ${duration} s measured per client; load average $(cut -d' ' -f1-3 /proc/loadavg)"
# One run: the server afresh, one client against it. Sets $line, $server_pct and $machine_pct.
run_once() { # round name
  # A log of its own per run: an old one would give the port of a server already stopped.
  local log="$work/server-$1-$2.log"
  taskset -c "$server_cpu" bash -c "exec $server" >"$log" 2>&1 &
  server_pid=$!
  port="$(wait_port "the server" "$log" "$server_pid")"
  # shellcheck disable=SC2086 # the client's command is a list of words
  taskset -c "$client_cpu" ${defs[$2]} --host 127.0.0.1 --port "$port" --size "$size" --window "$window" \
    --duration "$duration" --warmup "$warmup" >"$work/client.out" 2>"$work/client.err" &
  client_pid=$!
  measure_cpu "$(date +%s%N)"
  stop_server
  rm -f "$log"
  line="$(tail -n1 "$work/client.out")"
  if [ -z "$line" ]; then
    line='rate_rps=0 failed=1'
    sed 's/^/# client error: /' "$work/client.err" >&2
  fi
}

for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    for try in $(seq 0 "$retries"); do
      run_once "$round" "$name"
      client_pct="$(sed -nE 's/.*client_cpu_pct=([0-9]+).*/\1/p' <<<"$line")"
      other=$(( machine_pct - server_pct - ${client_pct:-0} ))
      [ "$other" -gt 20 ] && [ "$try" -lt "$retries" ] || break
      echo "# round $round $name: other work used ${other}% of a CPU (${line%% sent=*}); again" >&2
    done
    echo "$round $name $server_pct $machine_pct $line client_interrupts_per_s=$client_interrupts" >>"$results"
    echo "# round $round $name: ${line%% sent=*}" >&2
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v order="${names[*]}" -v rounds="$rounds" -f "$root/bench/lib.awk" -f "$root/bench/report-clients.awk" "$results"
