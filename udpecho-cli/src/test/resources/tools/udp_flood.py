"""Sends datagrams from one local address to a server as fast as it can, until killed or SECONDS have passed.

Used by udpecho's tests, inside network namespaces they create: from an address the server has no route back
to, every reply is refused. Prints `flooding` once the first datagram is sent, and `sent N` at the end.

    python3 udp_flood.py SOURCE HOST PORT SECONDS
"""
import socket
import sys
import time


def main():
    source, host, port, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    payload = b"x" * 64
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.sendto(payload, (host, port))
        print("flooding", flush=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for _ in range(1000):
                try:
                    s.sendto(payload, (host, port))
                    sent += 1
                except OSError:
                    pass  # a full queue on the way: go on
    print("sent " + str(sent), flush=True)


if __name__ == "__main__":
    main()
