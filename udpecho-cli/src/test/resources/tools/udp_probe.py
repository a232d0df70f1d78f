"""Sends one datagram and prints where the reply came from: `HOST:PORT <reply>`, or `timeout`.

Used by udpecho's tests, inside network namespaces they create, to see which local address a server replies
from.

    python3 udp_probe.py HOST PORT PAYLOAD
"""
import socket
import sys


def main():
    host, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(payload, (host, port))
        try:
            data, address = s.recvfrom(65535)
        except socket.timeout:
            print("timeout")
            return
        print(address[0] + ":" + str(address[1]) + " " + data.decode("utf-8", "replace"))


if __name__ == "__main__":
    main()
