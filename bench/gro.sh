#!/usr/bin/env bash
# Receive-side UDP GRO, measured where the kernel does it. On loopback a plain datagram reaches the server's
# socket alone, so there is nothing to coalesce (a segmented send, as udpecho bench's, arrives whole at a socket
# that asks for GRO, and compare.sh shows that). Here the client and the server sit in two network namespaces
# of this script's own, joined by a veth pair (10.201.7.1 and 10.201.7.2) whose server end receives as a NIC
# does: GRO on, and its NAPI poll in a thread of its own on the server's CPU (CPU 0, compare.sh's default),
# so that the datagrams a client sends in one sendmmsg wait for one poll, as they would in a NIC's ring. Then
# compare.sh runs, with the options given here passed on, the C reference server as it is (c), the same with
# UDP_GRO on its socket (c-gro: it takes the datagrams of one flow that one poll merged as one buffer and
# answers each one), and udpecho's server (udpecho: its native transport asks for GRO too), all under the C
# client. The poll thread's CPU shows in
# compare.sh's 'other CPU%': the server's whole cost per reply is its CPU and that. Needs root, ip and
# ethtool; the namespaces are removed at the end.
#
#   bench/gro.sh --rounds 5 --size 64
#   bench/gro.sh --servers "c c-gro" --size 1472
set -euo pipefail

script=gro.sh
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
die() { echo "$script: $*" >&2; exit 2; }
case "${1:-}" in
  -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root (it makes network namespaces)"
command -v ip >/dev/null || die "needs ip (Debian: iproute2)"
command -v ethtool >/dev/null || die "needs ethtool (Debian: ethtool)"

cli=udpecho-gro-c srv=udpecho-gro-s
cleanup() { ip netns del "$cli" 2>/dev/null || true; ip netns del "$srv" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
ip netns add "$cli"
ip netns add "$srv"
ip link add gro-c0 netns "$cli" type veth peer name gro-s0 netns "$srv"
ip -n "$cli" addr add 10.201.7.1/24 dev gro-c0
ip -n "$srv" addr add 10.201.7.2/24 dev gro-s0
for ns in "$cli" "$srv"; do
  ip -n "$ns" link set lo up
done
ip -n "$cli" link set gro-c0 up
ip -n "$srv" link set gro-s0 up
# GRO on a veth's receiving end makes it run NAPI (Linux 5.13); it passes a local sender's datagrams through
# NAPI only where the receiving end also forwards UDP with GRO (veth_skb_is_eligible_for_gro). In softirq, the
# poll would run at the end of each datagram's send and find one datagram; in a thread (threaded NAPI), it
# finds what came in since it last ran, and merges those of one flow and one size for a socket that asks.
ip netns exec "$srv" ethtool -K gro-s0 gro on rx-udp-gro-forwarding on
ip netns exec "$srv" sh -c 'echo 1 > /sys/class/net/gro-s0/threaded'
napi="$(pgrep '^napi/gro-s0' || true)"
[ -n "$napi" ] || die "no NAPI thread for gro-s0: threaded NAPI needs Linux 5.12 or later"
for pid in $napi; do taskset -pc 0 "$pid" >/dev/null; done
echo "# veth gro-c0 (10.201.7.1, namespace $cli) -> gro-s0 (10.201.7.2, namespace $srv):" \
     "$(ip netns exec "$srv" ethtool -k gro-s0 | grep -E '^generic-receive-offload' | xargs), NAPI thread on CPU 0"

bench/build.sh
java='java'
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
jar=udpecho-cli/target/udpecho.jar
[ -f "$jar" ] || ./udpecho --version >/dev/null
in_srv="ip netns exec $srv"
# udpecho limits each source but loopback to 100 datagrams a second by default: here the client is not on
# loopback, so the limits are off, as they are for a loopback client.
bench/compare.sh --servers "c c-gro udpecho" --host 10.201.7.2 \
  --client "ip netns exec $cli bench/target/echo-client --mode throughput" \
  --define "c=$in_srv bench/target/echo-server --port 0 --bind 10.201.7.2" \
  --define "c-gro=$in_srv bench/target/echo-server --port 0 --bind 10.201.7.2 --gro" \
  --define "udpecho=$in_srv $java -jar $jar server --port 0 --bind 10.201.7.2 --quiet --rate-limit 0" \
  "$@"
