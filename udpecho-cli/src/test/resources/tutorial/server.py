'''
Simple udp socket server
Silver Moon

The tutorial's server (udp-sockets-tutorial.txt), ported from Python 2 to Python 3 as an interop peer for
udpecho's tests. Its faults are kept on purpose: a 1024-byte receive buffer, and an empty datagram stops it.
The only additions: an optional port argument (0 picks a free one), the port actually bound on standard
error, and flushed output.
'''
import socket
import sys

HOST = ''  # Symbolic name meaning all available interfaces
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8888  # Arbitrary non-privileged port

# Datagram (udp) socket
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    print('Socket created', flush=True)
except OSError as msg:
    print('Failed to create socket. Error Code : ' + str(msg.errno) + ' Message ' + str(msg.strerror))
    sys.exit()

# Bind socket to local host and port
try:
    s.bind((HOST, PORT))
except OSError as msg:
    print('Bind failed. Error Code : ' + str(msg.errno) + ' Message ' + str(msg.strerror))
    sys.exit()

print('Socket bind complete', flush=True)
print('port ' + str(s.getsockname()[1]), file=sys.stderr, flush=True)

# now keep talking with the client
while 1:
    # receive data from client (data, addr)
    d = s.recvfrom(1024)
    data = d[0]
    addr = d[1]

    if not data:
        break

    reply = b'OK...' + data

    s.sendto(reply, addr)
    print('Message[' + addr[0] + ':' + str(addr[1]) + '] - ' + data.strip().decode('utf-8', 'replace'),
          flush=True)

s.close()
