"""Open N idle TCP connections to HOST:PORT, hold them until RELEASE exists, then reset them."""
import os
import socket
import struct
import sys
import time

host, port, count, release = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
conns = []
while len(conns) < count:
    conn = socket.create_connection((host, port), timeout=5)
    conn.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\n")  # no blank line: the server keeps waiting
    conns.append(conn)
while not os.path.exists(release):
    time.sleep(0.2)
for conn in conns:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
    conn.close()
