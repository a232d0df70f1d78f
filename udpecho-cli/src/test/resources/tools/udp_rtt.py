"""Sends COUNT datagrams one after another, each once its reply came, and prints each round trip in milliseconds
(`rtt 0.4`), or `timeout` after TIMEOUT_SECONDS without a reply.

Used by udpecho's tests, inside network namespaces they create, to time a server's answers to one client while
another floods it.

    python3 udp_rtt.py HOST PORT COUNT [TIMEOUT_SECONDS]
"""
import socket
import sys
import time


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        for i in range(count):
            payload = ("probe " + str(i)).encode()
            start = time.monotonic()
            s.sendto(payload, (host, port))
            try:
                while True:
                    data, _ = s.recvfrom(65535)
                    if data.endswith(payload):  # not a late reply to an earlier probe
                        break
                print("rtt %.2f" % ((time.monotonic() - start) * 1000), flush=True)
            except socket.timeout:
                print("timeout", flush=True)
            time.sleep(0.01)


if __name__ == "__main__":
    main()
