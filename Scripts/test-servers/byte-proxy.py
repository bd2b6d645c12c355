#!/usr/bin/env python3
"""A loopback HTTP proxy for tests: forwards every request to an upstream server and
counts, or damages, the bytes on the way.

usage: byte-proxy.py UPSTREAM_PORT STATE_DIR [--port N] [--flip-part N] [--flip-get SUBSTRING]
                                          [--flip-put SUBSTRING]

- the port it listens on (N, or a free one when N is 0) is written to STATE_DIR/port;
- STATE_DIR/stats holds, after each request, a JSON object: bytes of request bodies
  received ("sent_up"), bytes of response bodies sent ("sent_down"), requests, flips;
- --flip-part N: the body of the FIRST request whose query has partNumber=N gets one byte
  inverted (in its middle) before it goes upstream; later ones pass unchanged;
- STATE_DIR/requests.log gets a line per request: method, path, body size, status, answer size,
  and `range=bytes=A-B` when the request asked for a range;
  STATE_DIR/requests.tlog the same lines after the time the answer was sent (Unix seconds);
- --flip-get S: every GET whose path contains S gets one byte of its response body inverted.
- --flip-put S: the body of the FIRST PUT whose path contains S gets one byte inverted before
  it goes upstream (the server stores other bytes than the client sent).
"""
import http.client
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse

args = sys.argv[1:]
upstream_port = int(args[0])
state_dir = args[1]
listen_port = 0
flip_part = None
flip_get = None
flip_put = None
i = 2
while i < len(args):
    if args[i] == "--port":
        listen_port = int(args[i + 1]); i += 2
    elif args[i] == "--flip-part":
        flip_part = args[i + 1]; i += 2
    elif args[i] == "--flip-put":
        flip_put = args[i + 1]; i += 2
    elif args[i] == "--flip-get":
        flip_get = args[i + 1]; i += 2
    else:
        sys.exit("unknown argument " + args[i])

lock = threading.Lock()
stats = {"sent_up": 0, "sent_down": 0, "requests": 0, "flips": 0}
flipped_part = [False]
flipped_put = [False]


def save():
    tmp = os.path.join(state_dir, "stats.tmp")
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.replace(tmp, os.path.join(state_dir, "stats"))


HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "expect"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                line = self.rfile.readline(1024)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(n)
                self.rfile.readline(1024)
        n = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(n) if n else b""

    def forward(self):
        body = self.read_body()
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        with lock:
            stats["sent_up"] += len(body)
            stats["requests"] += 1
            if flip_part is not None and not flipped_part[0] and query.get("partNumber") == [flip_part] and body:
                flipped_part[0] = True
                stats["flips"] += 1
                b = bytearray(body)
                b[len(b) // 2] ^= 0xFF
                body = bytes(b)
            if flip_put is not None and not flipped_put[0] and self.command == "PUT" and flip_put in self.path and body:
                flipped_put[0] = True
                stats["flips"] += 1
                b = bytearray(body)
                b[len(b) // 2] ^= 0xFF
                body = bytes(b)
        conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=300)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            conn.putheader(k, v)
        if body or self.command in ("PUT", "POST"):
            conn.putheader("Content-Length", str(len(body)))
        try:
            conn.endheaders(body if body else None)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading the whole body: its answer follows
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if flip_get is not None and self.command == "GET" and flip_get in self.path and data and resp.status < 300:
            b = bytearray(data)
            b[len(b) // 2] ^= 0xFF
            data = bytes(b)
            with lock:
                stats["flips"] += 1
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() in HOP or (k.lower() == "content-length" and self.command != "HEAD"):
                continue
            self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        with lock:
            stats["sent_down"] += len(data)
            save()
            line = "%s %s %d -> %d %d" % (self.command, self.path, len(body), resp.status, len(data))
            if self.headers.get("Range"):
                line += " range=" + self.headers.get("Range")
            line += "\n"
            with open(os.path.join(state_dir, "requests.log"), "a") as f:
                f.write(line)
            with open(os.path.join(state_dir, "requests.tlog"), "a") as f:
                f.write("%.3f %s" % (time.time(), line))

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward
    # WebDAV
    do_PROPFIND = do_MKCOL = do_MOVE = do_COPY = do_OPTIONS = forward


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", listen_port), Handler)
with lock:
    save()
tmp = os.path.join(state_dir, "port.tmp")
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.replace(tmp, os.path.join(state_dir, "port"))
server.serve_forever()
