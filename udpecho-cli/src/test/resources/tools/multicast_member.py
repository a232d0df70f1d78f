"""Joins an IPv4 multicast group on a port, prints `joined`, and stays a member until its standard input closes
(or 60 seconds at most), so that the host accepts datagrams sent to that group and port; prints `received`
for each datagram that reaches it, to show that one did reach the host.

Used by udpecho's tests, inside network namespaces they create.

    python3 multicast_member.py GROUP PORT INTERFACE_ADDRESS
"""
import select
import socket
import struct
import sys


def main():
    group, port, interface = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # Bound to the group itself, so that it shares no port group with the server's sockets.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        s.bind((group, port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4s", socket.inet_aton(group),
                                                                              socket.inet_aton(interface)))
        print("joined", flush=True)
        while True:
            ready, _, _ = select.select([sys.stdin, s], [], [], 60)
            if s not in ready:
                return
            s.recv(65535)
            print("received", flush=True)


if __name__ == "__main__":
    main()
