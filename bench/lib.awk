# Functions shared by report.awk and report-clients.awk (awk -f lib.awk -f report.awk ...). Both keep
# val[name, round, key] and set rounds.

# The median over the rounds of val[name, round, key], 0 if there is none.
function median(name, key,    n, i, j, v, t) {
    n = 0
    for (i = 1; i <= rounds; i++) {
        if ((name, i, key) in val) { v[++n] = val[name, i, key] }
    }
    for (i = 2; i <= n; i++) {
        for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    }
    if (n == 0) { return 0 }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }

# The median over the rounds of val[name, round, key] / val[ref, round, key]. Every round runs each contender
# once, back to back, so this leaves out the drift between rounds that a ratio of medians keeps (on the shared
# machine one server's rate moved by a third from one round to the next). Sets paired (rounds with both) and
# above (rounds where the ratio is 1 or more).
function round_ratio(name, ref, key,    i, r) {
    paired = above = 0
    for (i = 1; i <= rounds; i++) {
        if ((name, i, key) in val && (ref, i, key) in val && val[name, i, key] > 0 && val[ref, i, key] > 0) {
            r = val[name, i, key] / val[ref, i, key]
            val[name, i, key "/" ref] = r
            paired++
            if (r >= 1) { above++ }
        }
    }
    return paired ? sprintf("%.2f", median(name, key "/" ref)) : "-"
}
