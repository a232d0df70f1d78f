# Helpers shared by bench/compare.sh and bench/compare-clients.sh; sourced, not run. The script sets $script
# (its name, for messages) before sourcing, and $work, $server_pid and $client_pid before the first cleanup.

# One argument quoted for the shell, so that a pasted command line says how to reproduce a result.
quote() { if [[ "$1" =~ ^[A-Za-z0-9._/=:,+-]+$ ]]; then printf ' %s' "$1"; else printf " '%s'" "${1//\'/\'\\\'\'}"; fi; }
die() { echo "$script: $*" >&2; exit 2; }
need() { [ $# -ge 2 ] || die "$1 needs a value (see --help)"; }
# option value min max: dies unless value is a whole number from min to max
whole() {
  if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
    die "invalid $1 '$2' (a whole number from $3 to $4)"
  fi
}
seconds() {
  [[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "invalid $1 '$2' (seconds, e.g. 5 or 0.5)"
}

cleanup() {
  for pid in $client_pid $server_pid; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}

# CPU time (user + system, all threads) of a process, in clock ticks. Fields counted after "(comm) ".
cpu_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  read -r -a f <<<"${stat##*) }"
  echo $(( f[11] + f[12] ))
}

# CPU time of the whole machine that was not idle (steal included: the hypervisor's other guests), in ticks.
# Minus what the server and the client used, it shows how much else ran during a measurement.
busy_ticks() {
  local _ user nice system irq softirq steal
  read -r _ user nice system _ _ irq softirq steal _ </proc/stat
  echo $(( user + nice + system + irq + softirq + steal ))
}

wait_port() { # what log pid: prints the port the server printed in log
  # udpecho names its transport after the address ("Listening on udp://[::]:8888 (native)"); the others do not.
  local waited=0 port
  while [ $waited -lt 600 ]; do
    port="$(sed -nE 's/^Listening on udp:\/\/.*:([0-9]+)( \([a-z]+\))?$/\1/p; s/^port ([0-9]+)$/\1/p' "$2" | head -n1)"
    if [ -n "$port" ]; then echo "$port"; return; fi
    kill -0 "$3" 2>/dev/null || break
    sleep 0.05
    waited=$((waited + 1))
  done
  echo "$script: $1 did not print its port within 30 s; its output:" >&2
  tail -n 20 "$2" >&2
  return 1
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=''
}
