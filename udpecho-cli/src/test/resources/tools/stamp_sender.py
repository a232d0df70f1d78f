#!/usr/bin/python3
"""A STAMP Session-Sender built on scapy's STAMP codec (scapy.contrib.stamp, RFC 8762 / RFC 8972), to check a
Session-Reflector that nobody on this test's side wrote the parser of.

usage: stamp_sender.py HOST PORT COUNT MODE TTL TOS [SYNCHRONISED]
  MODE          stateless or stateful: what the reflector's sequence numbers must be.
  TTL           the Sender TTL the reflector must return, or -1 where it cannot know it (then 0).
  TOS           the TOS byte this sender sets and the reflector must return in Class of Service, or -1.
  SYNCHRONISED  1 if the reflector says its clock is synchronised (S bit, NTP in Timestamp Information).

Sends COUNT packets one at a time from one socket, in four kinds that take turns: NTP timestamps with Extra
Padding, Timestamp Information, Class of Service and an unknown TLV; PTP timestamps (Z) and no TLVs; a
14-byte TWAMP-Light packet; a packet whose last TLV runs past its end. Every reply is parsed with scapy and each
field checked. Prints "checked N fields in M replies" and exits 0, or prints each failure and exits 1.
"""
import socket
import struct
import sys
import time

from scapy.all import UDP, raw, conf
from scapy.contrib.stamp import (ErrorEstimate, STAMPSessionReflectorTestUnauthenticated,
                                 STAMPSessionSenderTestUnauthenticated, STAMPTestTLV)

conf.debug_dissector = True  # a reply scapy cannot dissect raises instead of becoming Raw

NTP_OFFSET = 2208988800
U, M = 0x80, 0x40  # RFC 8972 TLV flags (scapy names the bits from the other end)
SLACK_NS = 500_000  # the reflector's clock and this one are the host's, read by different processes

host, port, count, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
want_ttl, tos = int(sys.argv[5]), int(sys.argv[6])
synchronised = len(sys.argv) > 7 and sys.argv[7] == "1"
failures = []
checked = 0


def check(what, ok, detail=""):
    global checked
    checked += 1
    if not ok:
        failures.append(what + (": " + detail if detail else ""))


def ntp(ns):
    seconds, rest = divmod(ns, 1_000_000_000)
    return ((seconds + NTP_OFFSET) << 32) | ((rest << 32) // 1_000_000_000)


def from_ntp(v):
    return ((v >> 32) - NTP_OFFSET) * 1_000_000_000 + (((v & 0xFFFFFFFF) * 1_000_000_000) >> 32)


def ptp(ns):
    seconds, rest = divmod(ns, 1_000_000_000)
    return (seconds << 32) | rest


def from_ptp(v):
    return (v >> 32) * 1_000_000_000 + (v & 0xFFFFFFFF)


def sender_packet(kind, seq, ssid, t1):
    if kind == 2:  # TWAMP-Light: sequence number, timestamp, Error Estimate
        return struct.pack("!IQH", seq, ntp(t1), 0x0101)
    z = 1 if kind == 1 else 0
    tlvs = []
    if kind == 0:
        tlvs = [STAMPTestTLV(type=1, len=20, value=bytes(range(20))),
                STAMPTestTLV(type=3, len=4, value=b"\x00\x00\x00\x00"),
                STAMPTestTLV(type=4, len=4, value=struct.pack("!HH", 10 << 10, 0)),  # DSCP1 = 10 (AF11)
                STAMPTestTLV(type=200, len=4, value=b"\x01\x02\x03\x04")]
    elif kind == 3:
        tlvs = [STAMPTestTLV(type=1, len=8, value=bytes(8))]
    pkt = STAMPSessionSenderTestUnauthenticated(
        seq=seq, err_estimate=ErrorEstimate(S=0, Z=z, scale=0, multiplier=1), ssid=ssid, tlv_objects=tlvs)
    data = bytearray(raw(UDP(sport=40000, dport=862) / pkt)[8:])
    struct.pack_into("!Q", data, 4, ptp(t1) if z else ntp(t1))  # the send time, as late as can be
    if kind == 3:
        data += struct.pack("!BBH", 0, 1, 64) + bytes(6)  # says 64 bytes of value, carries 6
    return bytes(data)


sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
if tos >= 0:
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, tos)
sock.settimeout(3)
sessions = {}
replies = 0
for i in range(count):
    kind = i % 4
    ssid = 1000 + (i % 2)
    seq = 7 * i + 3  # not the reflector's own count, so the two modes differ
    t1 = time.time_ns()
    sent = sender_packet(kind, seq, ssid, t1)
    sock.sendto(sent, (host, port))
    try:
        data, _ = sock.recvfrom(65535)
    except socket.timeout:
        failures.append("no reply to packet %d (kind %d)" % (i, kind))
        continue
    t4 = time.time_ns()
    replies += 1
    r = STAMPSessionReflectorTestUnauthenticated(data, _parent=UDP(len=8 + len(data)))
    check("length %d" % i, len(data) == max(len(sent), 44), "%d for %d sent" % (len(data), len(sent)))
    key = ssid if kind != 2 else 0  # a TWAMP-Light packet has no SSID
    if mode == "stateful":
        expected = sessions.get(key, 0)
        sessions[key] = expected + 1
    else:
        expected = seq
    check("sequence %d" % i, r.seq == expected, "%d, expected %d" % (r.seq, expected))
    check("sender sequence %d" % i, r.seq_sender == seq, str(r.seq_sender))
    check("ssid %d" % i, r.ssid == key, str(r.ssid))
    check("sender ttl %d" % i, r.ttl_sender == max(want_ttl, 0), str(r.ttl_sender))
    check("mbz %d" % i, r.mbz1 == 0 and r.mbz2 == 0)
    z = 1 if kind == 1 else 0
    check("Z %d" % i, r.err_estimate.Z == z and r.err_estimate_sender.Z == z)
    check("S %d" % i, r.err_estimate.S == (1 if synchronised else 0))
    check("error estimate %d" % i, r.err_estimate.multiplier > 0)
    check("sender error estimate %d" % i, raw(r.err_estimate_sender) == sent[12:14])
    sender_ts, = struct.unpack_from("!Q", sent, 4)
    ts, rx, echoed = (struct.unpack_from("!Q", data, at)[0] for at in (4, 16, 28))
    check("sender timestamp %d" % i, echoed == sender_ts)
    decode = from_ptp if z else from_ntp
    t2, t3 = decode(rx), decode(ts)
    check("t1 <= t2 %d" % i, t1 - SLACK_NS <= t2, "t2 - t1 = %d ns" % (t2 - t1))
    check("t2 <= t3 %d" % i, t2 <= t3, "t3 - t2 = %d ns" % (t3 - t2))
    check("t3 <= t4 %d" % i, t3 <= t4 + SLACK_NS, "t4 - t3 = %d ns" % (t4 - t3))
    tlvs = r.tlv_objects
    if kind == 0:
        check("tlv count %d" % i, len(tlvs) == 4, str(len(tlvs)))
        if len(tlvs) == 4:
            pad, info, cos, unknown = tlvs
            check("padding %d" % i, int(pad.flags) == 0 and pad.value == bytes(range(20)))
            sync = 1 if synchronised else 8
            check("timestamp information %d" % i,
                  int(info.flags) == 0 and info.value == bytes([sync, 2, sync, 2]), info.value.hex())
            word, = struct.unpack("!H", cos.value[:2])
            dscp1, dscp2, ecn, rp = word >> 10, (word >> 4) & 0x3F, (word >> 2) & 3, word & 3
            check("cos dscp1 %d" % i, int(cos.flags) == 0 and dscp1 == 10, str(dscp1))
            check("cos dscp2 %d" % i, dscp2 == (tos >> 2 if tos >= 0 else 0), str(dscp2))
            check("cos ecn %d" % i, ecn == (tos & 3 if tos >= 0 else 0), str(ecn))
            check("cos rp %d" % i, rp == 1, str(rp))
            check("unknown tlv %d" % i, int(unknown.flags) & U == U and unknown.value == b"\x01\x02\x03\x04",
                  str(int(unknown.flags)))
    elif kind == 3:
        check("malformed tlv %d" % i, data[56] & M == M and data[44] == 0, "flags %x %x" % (data[44], data[56]))
        check("malformed tail %d" % i, data[60:] == bytes(6))
    else:
        check("no tlvs %d" % i, len(tlvs) == 0, str(len(tlvs)))

for f in failures:
    print("FAIL " + f)
print("checked %d fields in %d replies" % (checked, replies))
sys.exit(1 if failures else 0)
