#!/usr/bin/python3
"""A STAMP Session-Reflector built on scapy's STAMP codec (scapy.contrib.stamp), to check udpecho bench's
Session-Sender packets with a parser nobody on this test's side wrote, and to answer them with packets scapy built.

usage: stamp_reflector.py PORT SECONDS
  Binds 127.0.0.1:PORT (0 picks one) and prints "listening PORT"; then, for at most SECONDS and until a second
  passes without a packet once packets came, parses every datagram as a
  Session-Sender packet and checks it (MBZ zero, an Error Estimate, TLVs that parse, Extra Padding of the right
  length), and answers it, stateless, with a Session-Reflector packet of the same size made by scapy. Ends with
  "parsed N sender packets, B bad" and exit status 0 if B is 0.
"""
import socket
import struct
import sys
import time

from scapy.all import UDP, raw, conf
from scapy.contrib.stamp import (STAMPSessionReflectorTestUnauthenticated, STAMPSessionSenderTestUnauthenticated,
                                 STAMPTestTLV, ErrorEstimate)

conf.debug_dissector = True

NTP_OFFSET = 2208988800
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", int(sys.argv[1])))
sock.settimeout(0.2)
print("listening %d" % sock.getsockname()[1], flush=True)
deadline = time.time() + float(sys.argv[2])
parsed = bad = 0
problems = []
last = None


def ntp_now():
    ns = time.time_ns()
    seconds, rest = divmod(ns, 1_000_000_000)
    return ((seconds + NTP_OFFSET) << 32) | ((rest << 32) // 1_000_000_000)


while time.time() < deadline:
    try:
        data, peer = sock.recvfrom(65535)
    except socket.timeout:
        if last is not None and time.time() - last > 1.0:
            break
        continue
    t2 = ntp_now()
    last = time.time()
    try:
        p = STAMPSessionSenderTestUnauthenticated(data, _parent=UDP(len=8 + len(data)))
        ok = len(data) >= 44 and p.mbz == 0 and p.err_estimate.multiplier > 0 and p.ssid != 0
        if len(data) > 44:
            tlvs = p.tlv_objects
            ok = ok and len(tlvs) == 1 and tlvs[0].type == 1 and tlvs[0].len == len(data) - 48 \
                and len(tlvs[0].value) == len(data) - 48
        else:
            ok = ok and len(p.tlv_objects) == 0
    except Exception as e:  # noqa: BLE001 - any failure to dissect is a bad packet
        ok = False
        problems.append(repr(e))
    parsed += 1
    if not ok:
        bad += 1
        if len(problems) < 5:
            problems.append(data.hex())
        continue
    sender_ts, = struct.unpack_from("!Q", data, 4)
    reply = STAMPSessionReflectorTestUnauthenticated(
        seq=p.seq, err_estimate=ErrorEstimate(S=0, Z=0, scale=0, multiplier=1), ssid=p.ssid,
        seq_sender=p.seq, err_estimate_sender=p.err_estimate, ttl_sender=64,
        tlv_objects=[STAMPTestTLV(flags=t.flags, type=t.type, len=t.len, value=t.value) for t in p.tlv_objects])
    out = bytearray(raw(UDP(sport=862, dport=40000) / reply)[8:])
    struct.pack_into("!Q", out, 16, t2)          # Receive Timestamp
    struct.pack_into("!Q", out, 28, sender_ts)   # Session-Sender Timestamp, exactly as sent
    struct.pack_into("!Q", out, 4, ntp_now())    # the reflector's own, last
    sock.sendto(bytes(out), peer)

for problem in problems:
    print("BAD " + problem)
print("parsed %d sender packets, %d bad" % (parsed, bad))
sys.exit(1 if bad or parsed == 0 else 0)
