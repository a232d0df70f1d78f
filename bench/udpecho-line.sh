#!/usr/bin/env bash
# Runs `udpecho bench ... --json -` and prints its result as bench/target/echo-client's line of key=value
# pairs, for compare-clients.sh. Late, duplicated and stale replies count as the C client's "stale", corrupt
# ones as "bad"; client_polling_pct is the share of the time it polled for replies (--busy-poll). The summary
# (standard error) is passed through.
#   bench/udpecho-line.sh ./udpecho bench --mode window --host 127.0.0.1 --port 9999 ...
set -euo pipefail
json="$("$@" --json -)" || [ -n "${json:-}" ] || exit 1
awk '
  # the first occurrence of a top-level number (the intervals come last and repeat some names)
  function num(key,    m) {
    if (match($0, "\"" key "\":[-0-9.eE]+")) { return substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3) }
    return 0
  }
  {
    printf "rate_rps=%.0f sent=%d received=%d lost=%d stale=%d bad=%d errors=%d bytes_per_s=%.0f client_cpu_pct=%.0f",
      num("rps"), num("sent"), num("received"), num("lost"), num("late") + num("duplicated") + num("stale"),
      num("corrupt"), num("errors"), num("rps") * num("size"), num("client_cpu_pct")
    printf " size=%d window=%d duration_s=%.3f client_polling_pct=%.0f\n", num("size"), num("window"), num("duration_s"),
      num("client_polling_pct")
  }' <<<"$json"
