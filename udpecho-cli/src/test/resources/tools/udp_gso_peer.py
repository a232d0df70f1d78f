"""Sends bursts of datagrams to an echo server and checks every reply, while telling whether the replies came
segmented (UDP_SEGMENT): this socket turns on UDP_GRO, so the kernel hands it a segmented send whole, with the
segment size, where it would otherwise cut it into datagrams. Loopback coalesces nothing else.

Each burst leaves as one segmented send itself (all its datagrams reach the server's queue at once, so that the
server reads them in one batch), then a few datagrams of other sizes one by one. Prints one line:

    replies N bad B segmented_reads K most_segments M

and exits 1 if any reply is missing, extra or not PREFIX + the datagram, in order. Used by udpecho's tests.

    /usr/bin/python3 udp_gso_peer.py HOST PORT PREFIX BURSTS SIZE
"""
import socket
import struct
import sys

UDP_SEGMENT = 103
UDP_GRO = 104


def main():
    host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    bursts, size = int(sys.argv[4]), int(sys.argv[5])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_UDP, UDP_GRO, 1)
        s.settimeout(2)
        s.connect((host, port))
        expected, got, bad, segmented, most = [], [], 0, 0, 1
        for b in range(bursts):
            burst = [("%06d-%04d-" % (b, i)).encode().ljust(size, b"x") for i in range(32)]
            s.sendmsg([b"".join(burst)], [(socket.SOL_UDP, UDP_SEGMENT, struct.pack("=H", size))])
            # Then a shorter one, a longer one and another of the burst's size: runs end and start again.
            others = [("%06d-short" % b).encode(), ("%06d-long-" % b).encode().ljust(size + 7, b"y"),
                      ("%06d-again" % b).encode().ljust(size, b"z")]
            for o in others:
                s.send(o)
            expected += [prefix + d for d in burst + others]
            while len(got) < len(expected):
                try:
                    data, ancillary, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(2))
                except socket.timeout:
                    break
                segment = len(data)
                for level, kind, value in ancillary:
                    if level == socket.SOL_UDP and kind == UDP_GRO:
                        segment = struct.unpack("=H", value[:2])[0]
                if segment < len(data):
                    segmented += 1
                    most = max(most, -(-len(data) // segment))
                got += [data[i:i + segment] for i in range(0, len(data), segment)] if data else [data]
        for i, reply in enumerate(got):
            if i >= len(expected) or reply != expected[i]:
                bad += 1
        print("replies %d bad %d segmented_reads %d most_segments %d" % (len(got), bad, segmented, most), flush=True)
        return 0 if bad == 0 and len(got) == len(expected) else 1


if __name__ == "__main__":
    sys.exit(main())
