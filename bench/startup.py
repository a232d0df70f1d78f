#!/usr/bin/env python3
"""Time from process start to the first reply of a UDP echo server, over several runs; prints each and the median.

    bench/startup.py [--runs 10] [--port 7790] -- COMMAND...     (COMMAND must serve UDP on that port)
    bench/startup.py -- ./udpecho server --port 7790 --quiet

A datagram goes to 127.0.0.1:PORT every millisecond from the moment the command is started; the time is taken
when the first reply arrives. Loopback only.
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time


def first_reply_ms(command, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.001)
        start = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while time.monotonic() - start < 30:
                s.sendto(b"startup", ("127.0.0.1", port))
                try:
                    s.recvfrom(100)
                    return (time.monotonic() - start) * 1000
                except socket.timeout:
                    pass
            raise SystemExit("no reply within 30 s from: " + " ".join(command))
        finally:
            process.terminate()
            process.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--port", type=int, default=7790)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("a command is needed after --")
    times = [first_reply_ms(command, args.port) for _ in range(args.runs)]
    print("runs_ms=" + ",".join("%.0f" % t for t in times))
    print("median_ms=%.0f" % statistics.median(times))


if __name__ == "__main__":
    sys.exit(main())
