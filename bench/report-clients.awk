# Turns compare-clients.sh's raw results into plain tables: each client's replies per second in every round,
# then per client the median, its ratio to the first client's median, and the CPU each side used. Input lines:
# ROUND CLIENT SERVER_CPU_PCT MACHINE_CPU_PCT key=value... (the client's line). Variables: order (client
# names), rounds. "Other CPU%" is what ran besides server and client while measuring (of 100% per CPU): other
# work on a shared machine, kernel threads, hypervisor steal. Rounds where it passes 20% are marked '!'.

{
    lines[NR] = $0
    for (f = 5; f <= NF; f++) {
        split($f, kv, "=")
        val[$2, $1, kv[1]] = kv[2]
    }
    val[$2, $1, "server_cpu_pct"] = $3
    # Client CPU time per reply: what each datagram costs the client, whichever side sets the pace.
    if (val[$2, $1, "rate_rps"] > 0) { val[$2, $1, "client_us"] = val[$2, $1, "client_cpu_pct"] * 1e4 / val[$2, $1, "rate_rps"] }
    # Server CPU time per reply: whether a client's traffic costs the server more per datagram.
    if (val[$2, $1, "rate_rps"] > 0) { val[$2, $1, "server_us"] = $3 * 1e4 / val[$2, $1, "rate_rps"] }
    other = $4 - $3 - val[$2, $1, "client_cpu_pct"]
    val[$2, $1, "other_cpu_pct"] = other > 0 ? other : 0
}

END {
    count = split(order, names, " ")
    ref = names[1]
    printf "\nReplies per second, per round (* = datagrams lost or replies stale/bad, ! = other CPU use over 20%%)\n"
    printf "%-16s", "client"
    for (i = 1; i <= rounds; i++) { printf " %10s", "round " i }
    printf "\n"
    for (s = 1; s <= count; s++) {
        printf "%-16s", names[s]
        for (i = 1; i <= rounds; i++) {
            cell = sprintf("%.0f", val[names[s], i, "rate_rps"])
            if (val[names[s], i, "lost"] + val[names[s], i, "stale"] + val[names[s], i, "bad"] > 0) { cell = cell "*" }
            if (val[names[s], i, "other_cpu_pct"] > 20) { cell = cell "!" }
            printf " %10s", cell
        }
        printf "\n"
    }
    printf "\nMedians; 'rate vs %s' = replies per second / %s's; 'us/reply' = client CPU time per reply;\n", ref, ref
    printf "'server us' = server CPU time per reply; 'IPI/s' = function-call interrupts the client's CPU got per\n"
    printf "second, on a virtual machine mostly wake-ups sent by the server's CPU to a client asleep for its replies\n"
    printf "%-16s %10s %11s %11s %8s %11s %9s %10s %8s %8s\n", "client", "replies/s", "rate vs " ref, "client CPU%",
           "us/reply", "server CPU%", "server us", "other CPU%", "IPI/s", "lost"
    for (s = 1; s <= count; s++) {
        n = names[s]
        lost = 0
        for (i = 1; i <= rounds; i++) { lost += val[n, i, "lost"] }
        printf "%-16s %10.0f %11s %11.0f %8.2f %11.0f %9.2f %10.0f %8.0f %8d\n", n, median(n, "rate_rps"),
               ratio(median(n, "rate_rps"), median(ref, "rate_rps")), median(n, "client_cpu_pct"),
               median(n, "client_us"), median(n, "server_cpu_pct"), median(n, "server_us"), median(n, "other_cpu_pct"),
               median(n, "client_interrupts_per_s"), lost
    }
    printf "\nPer round: rate and server CPU per reply / %s's in the same round, the median of the rounds; and in\n", ref
    printf "how many rounds the client reached %s's rate or more, and cost the server as much or more per reply\n", ref
    printf "%-16s %9s %9s %14s %14s\n", "client", "rate", "server us", "rate >= " ref, "server >= " ref
    for (s = 2; s <= count; s++) {
        r = round_ratio(names[s], ref, "rate_rps"); ra = above
        c = round_ratio(names[s], ref, "server_us")
        printf "%-16s %9s %9s %14s %14s\n", names[s], r, c, ra " of " paired, above " of " paired
    }
    printf "\nRaw results (round, client, server CPU%%, whole machine CPU%% while measured, the client's line)\n"
    for (l = 1; l <= NR; l++) { print lines[l] }
}
