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

# Sleeps until a time in nanoseconds since the epoch (date +%s%N); returns at once if it has passed.
sleep_until() {
  local left=$(( $1 - $(date +%s%N) ))
  if [ "$left" -gt 0 ]; then sleep "$(awk -v n="$left" 'BEGIN { printf "%.3f", n / 1e9 }')"; fi
}

# Function-call interrupts that CPU $1 has received ("CAL" in /proc/interrupts; 0 where there is no such line).
# On a virtual machine most are wake-ups sent from another CPU: a client that sleeps until its replies come
# gets one from the CPU that delivers them, which on loopback is the server's, and the server pays for sending it.
call_interrupts() {
  awk -v f=$(( $1 + 2 )) '$1 == "CAL:" { print $f; found = 1; exit } END { if (!found) print 0 }' /proc/interrupts
}

# Waits for the client ($client_pid), launched at $1 (date +%s%N), with $warmup and $duration in seconds, and
# sets server_pct and machine_pct: the CPU that the server ($server_pid) and the whole machine used while the
# client measured. The window opens a second after the warmup (half the duration if that is shorter), since a
# client that is a JVM starts its clock about half a second after its launch, and closes when the duration is
# up, before a client reports and exits. Measured from the launch to the exit instead, a JVM client's start
# and end showed as the server waiting: 92-94% of its CPU against 98-99% under the C client. Also sets
# client_interrupts: call_interrupts of the client's CPU ($client_cpu) per second over the same window.
measure_cpu() {
  local lead_ns warmup_ns duration_ns t0 t1 m0 m1 s0 s1 ns i0 i1
  warmup_ns="$(awk -v s="$warmup" 'BEGIN { printf "%.0f", s * 1e9 }')"
  duration_ns="$(awk -v s="$duration" 'BEGIN { printf "%.0f", s * 1e9 }')"
  lead_ns=$(( duration_ns / 2 < 1000000000 ? duration_ns / 2 : 1000000000 ))
  sleep_until $(( $1 + warmup_ns + lead_ns ))
  t0="$(cpu_ticks "$server_pid")" m0="$(busy_ticks)" i0="$(call_interrupts "$client_cpu")" s0="$(date +%s%N)"
  sleep_until $(( $1 + warmup_ns + duration_ns ))
  t1="$(cpu_ticks "$server_pid")" m1="$(busy_ticks)" i1="$(call_interrupts "$client_cpu")" s1="$(date +%s%N)"
  wait "$client_pid" || true # no reply at all still prints its line
  client_pid=''
  ns=$(( s1 - s0 > 0 ? s1 - s0 : 1 ))
  server_pct=$(( (t1 - t0) * 100 * 1000000000 / ticks_per_s / ns ))
  machine_pct=$(( (m1 - m0) * 100 * 1000000000 / ticks_per_s / ns ))
  client_interrupts=$(( (i1 - i0) * 1000000000 / ns ))
}

wait_port() { # what log pid: prints the port the server printed in log
  # udpecho names its transport after the address ("Listening on udp://[::]:8888 (native)"); the others do not.
  local waited=0 port
  while [ $waited -lt 600 ]; do
    # A background command's redirection is made in its own process, so the log may not exist yet.
    port="$(sed -nE 's/^Listening on udp:\/\/.*:([0-9]+)( \([a-z]+\))?$/\1/p; s/^port ([0-9]+)$/\1/p' "$2" 2>/dev/null | head -n1)"
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
