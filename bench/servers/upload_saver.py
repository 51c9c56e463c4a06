"""The CPython peer of bench/upload_compare.ts: an http.server handler that
saves the file parts of a POSTed form with cgi.FieldStorage, as the
uploadserver package does, into the directory given.

    PYENV_VERSION=3.12.1 python3 bench/servers/upload_saver.py DIR

Prints "port N" once listening (port 0: the system picks).
"""

import cgi
import http.server
import os
import shutil
import sys

DIRECTORY = sys.argv[1]


class Saver(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        form = cgi.FieldStorage(
            fp=self.rfile,
            headers=self.headers,
            environ={"REQUEST_METHOD": "POST",
                     "CONTENT_TYPE": self.headers["Content-Type"]},
        )
        saved = []
        for item in form.list or []:
            if item.filename:
                name = os.path.basename(item.filename)
                with open(os.path.join(DIRECTORY, name), "wb") as out:
                    shutil.copyfileobj(item.file, out, 1024 * 1024)
                saved.append(name)
        body = ("saved " + " ".join(saved) + "\n").encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Saver)
print("port", server.server_address[1], flush=True)
server.serve_forever()
