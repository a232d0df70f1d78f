#!/usr/bin/env bash
# Compares UDP echo servers under one fixed load client (bench/target/echo-client), on loopback only.
# Each round starts every server in turn on port 0 (pinned to CPU 0), reads its port back, loads it from
# the client (pinned to CPU 1; --cpus changes both), and stops it: rounds A B C A B C ... so that drift on a noisy machine hits
# every server alike. Prints the raw numbers of every round, the median per server, and its ratio to the
# first server (the reference).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/compare.sh [options]
  --servers "A B ..."    servers to compare, the first is the reference (default: "c udpecho")
  --rounds N             rounds, each running every server once (default 5)
  --duration S           seconds measured per run (default 5)
  --warmup S             seconds of load before measuring (default 3; the JVMs need about 2.5)
  --size N               payload bytes per datagram (default 64)
  --window N             datagrams in flight, throughput mode only (default 64)
  --mode M               throughput (replies per second) or pingpong (round-trip time) (default throughput)
  --cpus S,C             CPU for the server and for the client (default 0,1); the same CPU for both
                         takes the cost of waking another CPU out of a round trip
  --host ADDR            where the client sends (default 127.0.0.1); with --client and --define, a server
                         and a client in network namespaces of one's own (bench/gro.sh)
  --client COMMAND       another load client in throughput mode, e.g. udpecho bench through
                         bench/udpecho-line.sh (see compare-clients.sh); it gets --host --port --size
                         --duration --warmup --window appended and must print the C client's line.
                         For when the C client is the limit and a cheaper client shows the servers' headroom
  --define NAME=COMMAND  add or replace a server; COMMAND must bind port 0 and print its port as
                         "Listening on udp://ADDR:PORT" (or "port PORT"); it runs from the repository root
                         with its output in a log file. Repeatable.

Servers: c (bench/c/echo-server.c), udpecho (./udpecho server --quiet), udpecho-logged (./udpecho server,
its log to a file), netty (bench/servers/NaiveNettyEcho.java), nio (bench/servers/NaiveNioEcho.java),
python (the tutorial's server; it truncates datagrams at 1024 bytes, use small sizes only).
Java servers run on $JAVA_HOME/bin/java if JAVA_HOME is set, else on java from the PATH.

example: bench/compare.sh --servers "c udpecho netty nio python" --rounds 5
EOF
}

script=compare.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The command line heads the output, so that a pasted result says how to reproduce it.
command_line="bench/compare.sh$(for a in "$@"; do quote "$a"; done)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java='java'
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
jar='udpecho-cli/target/udpecho.jar'
declare -A defs=(
  [c]='bench/target/echo-server --port 0'
  [udpecho]='./udpecho server --port 0 --quiet'
  [udpecho-logged]='./udpecho server --port 0'
  [netty]="$java -cp $jar bench/servers/NaiveNettyEcho.java 0"
  [nio]="$java bench/servers/NaiveNioEcho.java 0"
  # Its line per datagram goes to /dev/null (still one write each, as in the tutorial); its port is on stderr.
  [python]='python3 udpecho-cli/src/test/resources/tutorial/server.py 0 >/dev/null'
)

servers='c udpecho' rounds=5 duration=5 warmup=3 size=64 window=64 mode=throughput cpus=0,1 client='' host=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) need "$@"; servers="$2"; shift 2 ;;
    --rounds) need "$@"; rounds="$2"; shift 2 ;;
    --duration) need "$@"; duration="$2"; shift 2 ;;
    --warmup) need "$@"; warmup="$2"; shift 2 ;;
    --size) need "$@"; size="$2"; shift 2 ;;
    --window) need "$@"; window="$2"; shift 2 ;;
    --mode) need "$@"; mode="$2"; shift 2 ;;
    --cpus) need "$@"; cpus="$2"; shift 2 ;;
    --client) need "$@"; client="$2"; shift 2 ;;
    --host) need "$@"; host="$2"; shift 2 ;;
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
whole --size "$size" 8 65502 # 8: the client's sequence number; 65502: room for the 5-byte prefix over IPv4
whole --window "$window" 1 4096
case "$mode" in throughput|pingpong) ;; *) die "invalid --mode '$mode' (throughput or pingpong)" ;; esac
read -r -a names <<<"$servers"
[ ${#names[@]} -ge 1 ] || die "--servers is empty"
for name in "${names[@]}"; do
  [ -n "${defs[$name]+set}" ] || die "unknown server '$name' (known: $(printf '%s\n' "${!defs[@]}" | sort | xargs); add one with --define)"
done
[[ "$cpus" =~ ^([0-9]+),([0-9]+)$ ]] || die "invalid --cpus '$cpus' (SERVER,CLIENT, e.g. 0,1)"
server_cpu="${BASH_REMATCH[1]}" client_cpu="${BASH_REMATCH[2]}"
for cpu in "$server_cpu" "$client_cpu"; do
  [ "$cpu" -lt "$(nproc)" ] || die "invalid --cpus '$cpus' (this machine has CPUs 0 to $(( $(nproc) - 1 )))"
done

"$root/bench/build.sh"
# Build udpecho's jar once here, so that no server start pays for (or races) a build.
for name in "${names[@]}"; do
  case "${defs[$name]}" in
    *./udpecho*|*"$jar"*) ./udpecho --version >/dev/null; break ;;
  esac
done
export UDPECHO_NO_BUILD=1

work="$(mktemp -d "${TMPDIR:-/tmp}/udpecho-compare.XXXXXX")"
server_pid='' client_pid=''
trap cleanup EXIT
trap 'exit 130' INT TERM


client_args=(--host "$host" --size "$size" --duration "$duration" --warmup "$warmup")
if [ "$mode" = throughput ]; then client_args+=(--window "$window"); fi
if [ -z "$client" ]; then
  client='bench/target/echo-client'
  client_args+=(--mode "$mode")
elif [ "$mode" != throughput ]; then
  die "--client works in throughput mode only"
fi
ticks_per_s="$(getconf CLK_TCK)"
results="$work/results" # lines: round name server_cpu_pct machine_cpu_pct client-result-line
: >"$results"

echo "# $command_line"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "kernel $(uname -r), $("$java" -version 2>&1 | head -n1)"
echo "# mode $mode, size $size B$([ "$mode" = throughput ] && echo ", window $window"), server on CPU $server_cpu," \
     "client on CPU $client_cpu, $rounds rounds of ${warmup} s warmup + ${duration} s measured per server;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# client: $client"
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    log="$work/$name.log"
    taskset -c "$server_cpu" bash -c "exec ${defs[$name]}" >"$log" 2>&1 &
    server_pid=$!
    port="$(wait_port "server '$name'" "$log" "$server_pid")"
    taskset -c "$client_cpu" bash -c "exec $client \"\$@\"" client --port "$port" "${client_args[@]}" \
      >"$work/client.out" 2>"$work/client.err" &
    client_pid=$!
    measure_cpu "$(date +%s%N)"
    stop_server
    rm -f "$log"
    line="$(tail -n1 "$work/client.out")"
    if [ -z "$line" ]; then
      line='rate_rps=0 failed=1'
      sed 's/^/# client error: /' "$work/client.err" >&2
    fi
    echo "$round $name $server_pct $machine_pct $line" >>"$results"
    echo "# round $round $name: ${line%% sent=*}" >&2
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v mode="$mode" -v order="${names[*]}" -v rounds="$rounds" -f "$root/bench/lib.awk" -f "$root/bench/report.awk" "$results"
