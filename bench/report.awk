# Turns compare.sh's results into plain tables: the raw number of every round, then per server the median
# and its ratio to the first server's median. Input lines: ROUND SERVER SERVER_CPU_PCT MACHINE_CPU_PCT
# key=value... (the client's result line). Variables: mode (throughput|pingpong), order (server names), rounds.
# "Other CPU%" is what ran besides server and client while measuring (of 200% on 2 CPUs): other work on a
# shared machine, kernel threads, hypervisor steal. Rounds where it passes 20% are marked '!'.

# One row per server, one column per round; '*' marks a run with lost, stale or bad replies, '!' a run
# disturbed by other work.
function per_round(title, key, format,    s, i, cell) {
    printf "\n%s, per round (* = datagrams lost or replies stale/bad, ! = other CPU use over 20%%)\n", title
    printf "%-16s", "server"
    for (i = 1; i <= rounds; i++) { printf " %10s", "round " i }
    printf "\n"
    for (s = 1; s <= count; s++) {
        printf "%-16s", names[s]
        for (i = 1; i <= rounds; i++) {
            cell = sprintf(format, val[names[s], i, key])
            if (val[names[s], i, "lost"] + val[names[s], i, "stale"] + val[names[s], i, "bad"] > 0) { cell = cell "*" }
            if (val[names[s], i, "other_cpu_pct"] > 20) { cell = cell "!" }
            printf " %10s", cell
        }
        printf "\n"
    }
}

{
    lines[NR] = $0
    for (f = 5; f <= NF; f++) {
        split($f, kv, "=")
        val[$2, $1, kv[1]] = kv[2]
    }
    val[$2, $1, "server_cpu_pct"] = $3
    # Server CPU time per reply holds even where the client, not the server, sets the pace.
    if (val[$2, $1, "rate_rps"] > 0) { val[$2, $1, "server_us"] = $3 * 1e4 / val[$2, $1, "rate_rps"] }
    other = $4 - $3 - val[$2, $1, "client_cpu_pct"]
    val[$2, $1, "other_cpu_pct"] = other > 0 ? other : 0
}

END {
    count = split(order, names, " ")
    ref = names[1]
    if (mode == "throughput") {
        per_round("Replies per second", "rate_rps", "%.0f")
        printf "\nMedians; 'rate vs %s' = replies per second / %s's; 'us/reply' = server CPU time per reply,\n", ref, ref
        printf "and 'cost vs %s' = that / %s's (above 1 is costlier)\n", ref, ref
        printf "%-16s %10s %8s %11s %8s %11s %10s %8s %9s %9s\n", "server", "replies/s", "MB/s", "server CPU%", "us/reply",
               "client CPU%", "other CPU%", "lost", "rate vs " ref, "cost vs " ref
        for (s = 1; s <= count; s++) {
            n = names[s]
            lost = 0
            for (i = 1; i <= rounds; i++) { lost += val[n, i, "lost"] }
            printf "%-16s %10.0f %8.1f %11.0f %8.2f %11.0f %10.0f %8d %9s %9s\n", n, median(n, "rate_rps"),
                   median(n, "bytes_per_s") / 1e6, median(n, "server_cpu_pct"), median(n, "server_us"),
                   median(n, "client_cpu_pct"), median(n, "other_cpu_pct"), lost,
                   ratio(median(n, "rate_rps"), median(ref, "rate_rps")), ratio(median(n, "server_us"), median(ref, "server_us"))
        }
        printf "\nPer round: rate and cost / %s's in the same round, the median of the rounds; and in how many rounds\n", ref
        printf "the server reached %s's rate or more, and cost as much or more per reply\n", ref
        printf "%-16s %9s %9s %14s %14s\n", "server", "rate", "cost", "rate >= " ref, "cost >= " ref
        for (s = 2; s <= count; s++) {
            r = round_ratio(names[s], ref, "rate_rps"); ra = above
            c = round_ratio(names[s], ref, "server_us")
            printf "%-16s %9s %9s %14s %14s\n", names[s], r, c, ra " of " paired, above " of " paired
        }
    } else {
        per_round("Round-trip time p50 (us)", "rtt_p50_us", "%.1f")
        per_round("Round-trip time p99 (us)", "rtt_p99_us", "%.1f")
        printf "\nMedians; 'vs %s' = median round-trip time / %s's (above 1 is slower)\n", ref, ref
        printf "%-16s %10s %10s %10s %10s %13s %10s\n", "server", "p50 us", "p99 us", "p50 vs " ref, "p99 vs " ref,
               "round trips/s", "other CPU%"
        for (s = 1; s <= count; s++) {
            n = names[s]
            printf "%-16s %10.1f %10.1f %10s %10s %13.0f %10.0f\n", n, median(n, "rtt_p50_us"), median(n, "rtt_p99_us"),
                   ratio(median(n, "rtt_p50_us"), median(ref, "rtt_p50_us")),
                   ratio(median(n, "rtt_p99_us"), median(ref, "rtt_p99_us")), median(n, "rate_rps"),
                   median(n, "other_cpu_pct")
        }
    }
    printf "\nRaw results (round, server, server CPU%%, whole machine CPU%% while measured, the client's line)\n"
    for (l = 1; l <= NR; l++) { print lines[l] }
}
