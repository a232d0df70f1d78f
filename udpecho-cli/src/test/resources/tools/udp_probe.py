"""Sends one datagram and prints where the reply came from: `HOST:PORT <reply>`, or `timeout`.

Used by udpecho's tests, inside network namespaces they create, to see which local address a server replies
from.

    python3 udp_probe.py HOST PORT PAYLOAD [TIMEOUT_SECONDS]

HOST may be a broadcast address (the socket may broadcast) or a scoped IPv6 address (ff02::1%eth0).
"""
import socket
import sys


def main():
    host, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 3
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        address = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM)[0][4]
        s.sendto(payload, address)
        try:
            data, address = s.recvfrom(65535)
        except socket.timeout:
            print("timeout")
            return
        print(address[0] + ":" + str(address[1]) + " " + data.decode("utf-8", "replace"))


if __name__ == "__main__":
    main()
