#!/usr/bin/env python3
"""Pools the rounds of several compare-clients.sh runs: is CLIENT faster than BASE, and how sure is that?

    python3 bench/pool-rounds.py BASE CLIENT RUN-OUTPUT...

Each round of compare-clients.sh runs every client once, back to back, so the ratio CLIENT / BASE within a
round leaves out the machine's drift between rounds. This reads the raw result lines of one or more outputs
("ROUND NAME SERVER% MACHINE% rate_rps=... size=..."), takes that ratio in every round where both ran, and
prints per datagram size: the median ratio of the rate, a 95% bootstrap interval of that median (2,000
resamples, fixed seed, so the same files print the same figures), in how many rounds CLIENT reached BASE or
more, and the median ratio of the server's CPU time per reply (from its whole-percent CPU share: coarse).

An output may hold several runs, each after a line "# --- NAME"; rounds are told apart by file, run and number.
"""
import random
import re
import statistics
import sys

RAW = re.compile(r'^(\d+) (\S+) (\d+) (\d+) rate_rps=(\d+) .*size=(\d+)')


def rounds(paths):
    """{(file, run, size, round): {client: (rate, server CPU %)}} from the raw result lines."""
    rows = {}
    for path in paths:
        run = None
        with open(path) as f:
            for line in f:
                if line.startswith('# --- '):
                    run = (line.split()[2:] or ['?'])[0]
                m = RAW.match(line)
                if m:
                    r, name, server_pct, _, rate, size = m.groups()
                    key = (path, run, int(size), int(r))
                    clients = rows.setdefault(key, {})
                    if name in clients:
                        raise ValueError(f"{path}: round {r} of '{name}' at {size} B twice in one run "
                                         "(mark each run with a line '# --- NAME')")
                    clients[name] = (int(rate), int(server_pct))
    return rows


def main(argv):
    if len(argv) > 1 and argv[1] in ('-h', '--help'):
        print(__doc__.strip())
        return 0
    if len(argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    base, client, paths = argv[1], argv[2], argv[3:]
    try:
        rows = rounds(paths)
    except OSError as e:
        print(f"pool-rounds: {e.filename}: {e.strerror}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"pool-rounds: {e}", file=sys.stderr)
        return 1
    found = False
    for size in sorted({key[2] for key in rows}):
        rates, costs = [], []
        for key, clients in rows.items():
            if key[2] != size or base not in clients or client not in clients:
                continue
            (rate_b, cpu_b), (rate_c, cpu_c) = clients[base], clients[client]
            if rate_b <= 0 or rate_c <= 0:
                continue
            rates.append(rate_c / rate_b)
            if cpu_b > 0:
                costs.append((cpu_c / rate_c) / (cpu_b / rate_b))
        if not rates:
            continue
        found = True
        random.seed(1)
        boots = sorted(statistics.median(random.choices(rates, k=len(rates))) for _ in range(2000))
        print(f"{client} vs {base} {size:5} B: {len(rates)} rounds, rate median {statistics.median(rates):.3f} "
              f"(95% bootstrap {boots[50]:.3f}-{boots[1949]:.3f}), >= {base} in {sum(x >= 1 for x in rates)}, "
              f"server us median {statistics.median(costs) if costs else float('nan'):.3f}")
    if not found:
        print(f"pool-rounds: no round in which both '{base}' and '{client}' ran", file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
