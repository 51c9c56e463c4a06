# Hello world on CPython's ThreadingHTTPServer, for bench/hello.ts:
#   python3 hello.py [nodelay] PORT
# With "nodelay", TCP_NODELAY is set on each connection (stock CPython
# leaves Nagle on, and its separate header and body writes then stall on
# delayed ACKs).
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"Hello, World!"


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        if "nodelay" in sys.argv[1:-1]:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[-1])), Hello)
# wrk resets its connections when it stops: not worth a traceback each.
server.handle_error = lambda request, client_address: None
print("ready", flush=True)
server.serve_forever()
