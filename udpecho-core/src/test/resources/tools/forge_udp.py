"""Sends one UDP datagram over IPv4 with a forged source address and port, through a raw socket.

Used by udpecho's tests to start a ping-pong between two echo servers on loopback, as an attacker would
(CVE-1999-0103). Needs CAP_NET_RAW (root). Only ever used with loopback addresses.

    python3 forge_udp.py SRC_IP SRC_PORT DST_IP DST_PORT PAYLOAD
"""
import ipaddress
import socket
import struct
import sys


def main():
    src, sport, dst, dport, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    for address in (src, dst):
        if not ipaddress.ip_address(address).is_loopback:
            sys.exit("refusing to send to or from a non-loopback address: " + address)
    data = payload.encode()
    udp = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data  # checksum 0: none, allowed over IPv4
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, socket.IPPROTO_UDP, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))  # the kernel fills in the checksum
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as s:
        s.sendto(header + udp, (dst, 0))


if __name__ == "__main__":
    main()
