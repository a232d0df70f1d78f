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
