#!/usr/bin/env python3
"""A small HTTP/1.1 file server for the DCTCCurl tests (127.0.0.1 only).

Serves --root with GET (single Range), HEAD, PUT (Content-Length or chunked), POST (echo),
DELETE, plus test endpoints:
  /sleep?ms=N            answers after N ms
  /wait?key=K            answers once /release?key=K was called (counts waiters)
  /waiting?key=K         "<now> <max>": requests waiting on K now and at most at once
  /release?key=K         lets every current and future /wait?key=K through
  /stall?key=K           sends headers and 1 KiB of a 10 MiB body, then waits for release
  /status?code=N         answers with status N
  /headers               answers with two X-Multi lines
  /auth                  echoes the Authorization header
  /peer                  answers with the client's TCP port (tells connections apart)
Writes the bound port to --port-file once listening. Stops on SIGTERM or when its parent exits.
"""
import argparse, os, re, signal, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = threading.Condition()
WAITING, MAX_WAITING, RELEASED = {}, {}, set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def local_path(self, path):
        rel = urllib.parse.unquote(path).lstrip("/")
        full = os.path.realpath(os.path.join(self.root, rel))
        return full if full.startswith(os.path.realpath(self.root)) else None

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length)
        return data if len(data) == length else None

    def wait_for(self, key):
        with STATE:
            WAITING[key] = WAITING.get(key, 0) + 1
            MAX_WAITING[key] = max(MAX_WAITING.get(key, 0), WAITING[key])
            STATE.notify_all()
            STATE.wait_for(lambda: key in RELEASED, timeout=120)
            WAITING[key] -= 1

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/sleep":
            time.sleep(int(q.get("ms", "0")) / 1000)
            return self.reply(200, b"slept")
        if url.path == "/wait":
            self.wait_for(q["key"])
            return self.reply(200, b"released")
        if url.path == "/waiting":
            with STATE:
                k = q["key"]
                return self.reply(200, f"{WAITING.get(k, 0)} {MAX_WAITING.get(k, 0)}".encode())
        if url.path == "/release":
            with STATE:
                RELEASED.add(q["key"])
                STATE.notify_all()
            return self.reply(200, b"ok")
        if url.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", str(10 << 20))
            self.end_headers()
            self.wfile.write(b"x" * 1024)
            self.wfile.flush()
            self.wait_for(q["key"])
            self.close_connection = True
            return
        if url.path == "/status":
            return self.reply(int(q["code"]), b"status body")
        if url.path == "/headers":
            return self.reply(200, b"", [("X-Multi", "a"), ("X-Multi", "b")])
        if url.path == "/peer":
            return self.reply(200, str(self.client_address[1]).encode())
        if url.path == "/auth":
            return self.reply(200, self.headers.get("Authorization", "").encode())
        self.serve_file()

    def do_HEAD(self):
        self.serve_file()

    def serve_file(self):
        path = self.local_path(urllib.parse.urlsplit(self.path).path)
        if not path or not os.path.isfile(path):
            return self.reply(404, b"not found")
        size = os.path.getsize(path)
        start, end, code = 0, size - 1, 200
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            else:
                start = max(0, size - int(m.group(2)))
            if start >= size or start > end:
                return self.reply(416, b"", [("Content-Range", f"bytes */{size}")])
            code = 206
        self.send_response(code)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(os.path.getmtime(path))))
        if code == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(path, "rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)

    def do_PUT(self):
        path = self.local_path(urllib.parse.urlsplit(self.path).path)
        if not path:
            return self.reply(403, b"outside root")
        data = self.read_body()
        if data is None:  # the client gave up midway: keep nothing, like a real server
            self.close_connection = True
            return
        existed = os.path.exists(path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        self.reply(204 if existed else 201)

    def do_POST(self):
        data = self.read_body()
        if data is None:
            self.close_connection = True
            return
        self.reply(200, data, [("X-Method", "POST")])

    def do_DELETE(self):
        path = self.local_path(urllib.parse.urlsplit(self.path).path)
        if not path or not os.path.isfile(path):
            return self.reply(404, b"not found")
        os.remove(path)
        self.reply(204)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--port-file", required=True)
    a = p.parse_args()
    Handler.root = a.root
    # A child of a Swift test inherits the blocked signal mask of a dispatch worker thread:
    # unblock SIGTERM so Process.terminate() works, and exit when the test process is gone.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parent = os.getppid()

    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
