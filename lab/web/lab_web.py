"""Lab web service: answers GET / (and /health) with this host's name, on each given port; any other path is
404, so a health check pushed with a wrong path fails as it would on a real site.

HTTP/1.1 with keep-alive, so a client can hold one connection open across a
director failover and send more requests on it.
"""

import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = socket.gethostname().encode() + b"\n"
PATHS = ("/", "/health")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        found = self.path.split("?")[0] in PATHS
        body = NAME if found else b"not found\n"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class DualStackServer(ThreadingHTTPServer):
    """IPv4 and IPv6 on one socket (a scenario's IPv6 service, its health check)."""

    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def listening(port):
    """Dual stack where the host has IPv6, IPv4 only where not (a container on an IPv4-only network)."""
    try:
        return DualStackServer(("::", port), Handler)
    except OSError:
        return ThreadingHTTPServer(("0.0.0.0", port), Handler)


def main():
    ports = [int(p) for p in sys.argv[1:]] or [80]
    servers = [listening(port) for port in ports]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
