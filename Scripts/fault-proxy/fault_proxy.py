#!/usr/bin/env python3
"""dctc's fault proxies for the project's fault tests (started by the tests, on 127.0.0.1).

  fault_proxy.py tcp  --target HOST:PORT [--cut-after N] [--fraction F | --first-only] [--rst]
  fault_proxy.py http --target HOST:PORT [--fraction F] [--status 503|500|429] [--retry-after S]

tcp:  forwards TCP connections; a chosen connection (the first only, or each with probability F,
      drawn from a seeded generator) is cut after N bytes have passed (both directions counted),
      with a FIN (shutdown) or, with --rst, a reset (SO_LINGER 0).
http: forwards HTTP/1.1 requests one per connection (adds `Connection: close`); a chosen request
      is answered by the proxy instead: 503 SlowDown or 500 InternalError with an S3 XML body,
      or 429 with `Retry-After`. With --match TEXT --times N, exactly the first N requests whose
      request line contains TEXT are answered so (e.g. `?uploads` for CreateMultipartUpload).

Bounded: it serves at most --max-connections connections and exits after --lifetime seconds.
It writes its port to --port-file once listening, and a count of faults made to
--stats-file (one line: `connections faults`) after each connection.
"""
import argparse
import random
import socket
import struct
import sys
import threading
import time

lock = threading.Lock()
state = {"connections": 0, "faults": 0, "matched": 0}


def write_stats(path):
    if not path:
        return
    with lock:
        text = "%d %d\n" % (state["connections"], state["faults"])
    with open(path + ".part", "w") as f:
        f.write(text)
    import os
    os.replace(path + ".part", path)


def close_hard(sock, rst):
    try:
        if rst:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def pump(src, dst, budget, done, rst, peers):
    """Copies src to dst; when `budget` (a shared one-element list, or None) runs out, cuts both."""
    try:
        while not done.is_set():
            data = src.recv(65536)
            if not data:
                break
            if budget is not None:
                with lock:
                    left = budget[0]
                    budget[0] -= len(data)
                if left <= len(data):
                    if left > 0:
                        dst.sendall(data[:left])
                    done.set()
                    for s in peers:
                        close_hard(s, rst)
                    return
            dst.sendall(data)
    except OSError:
        pass
    done.set()
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve_tcp(client, args, cut):
    try:
        upstream = socket.create_connection(args.target, timeout=30)
        upstream.settimeout(None)
    except OSError:
        close_hard(client, True)
        return
    budget = [args.cut_after] if cut else None
    done = threading.Event()
    peers = [client, upstream]
    t = threading.Thread(target=pump, args=(upstream, client, budget, done, args.rst, peers), daemon=True)
    t.start()
    pump(client, upstream, budget, done, args.rst, peers)
    t.join(args.lifetime)
    for s in peers:
        try:
            s.close()
        except OSError:
            pass


S3_BODIES = {
    503: b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FAULTPROXY</RequestId></Error>',
    500: b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>FAULTPROXY</RequestId></Error>',
    429: b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>TooManyRequests</Code><Message>Too many requests.</Message></Error>',
}
REASONS = {503: "Slow Down", 500: "Internal Server Error", 429: "Too Many Requests"}


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head, rest


def serve_http(client, args, throttle):
    try:
        head, rest = read_head(client)
        if head is None:
            client.close()
            return
        lines = head.split(b"\r\n")
        if args.match is not None:
            throttle = False
            if args.match.encode() in lines[0]:
                with lock:
                    if state["matched"] < args.times:
                        state["matched"] += 1
                        state["faults"] += 1
                        throttle = True
        headers = [l for l in lines[1:] if not l.lower().startswith(b"connection:")]
        length = 0
        for l in headers:
            if l.lower().startswith(b"content-length:"):
                try:
                    length = int(l.split(b":", 1)[1].strip())
                except ValueError:
                    length = 0
        if throttle:
            # Read (and drop) a body of known length, so the client sees the answer, not a reset.
            while len(rest) < length:
                chunk = client.recv(65536)
                if not chunk:
                    break
                rest += chunk
            body = S3_BODIES.get(args.status, S3_BODIES[503])
            extra = ""
            if args.status == 429 or args.retry_after is not None:
                extra = "Retry-After: %d\r\n" % (args.retry_after if args.retry_after is not None else 1)
            answer = ("HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n%s"
                      "Connection: close\r\n\r\n" % (args.status, REASONS.get(args.status, "Error"), len(body), extra)).encode()
            client.sendall(answer + body)
            client.close()
            return
        upstream = socket.create_connection(args.target, timeout=30)
        upstream.settimeout(None)
        upstream.sendall(b"\r\n".join([lines[0]] + headers + [b"Connection: close"]) + b"\r\n\r\n" + rest)
        done = threading.Event()
        t = threading.Thread(target=pump, args=(upstream, client, None, done, False, []), daemon=True)
        t.start()
        pump(client, upstream, None, done, False, [])
        t.join(args.lifetime)
        upstream.close()
        client.close()
    except OSError:
        try:
            client.close()
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["tcp", "http"])
    p.add_argument("--target", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--stats-file")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--fraction", type=float, default=0.3)
    p.add_argument("--first-only", action="store_true")
    p.add_argument("--cut-after", type=int, default=100)
    p.add_argument("--rst", action="store_true")
    p.add_argument("--status", type=int, default=503)
    p.add_argument("--retry-after", type=int)
    p.add_argument("--match")
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--max-connections", type=int, default=20000)
    p.add_argument("--lifetime", type=float, default=600)
    args = p.parse_args()
    host, _, port = args.target.rpartition(":")
    args.target = (host or "127.0.0.1", int(port))
    rng = random.Random(args.seed)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    listener.settimeout(1.0)
    if args.port_file:
        with open(args.port_file + ".part", "w") as f:
            f.write(str(listener.getsockname()[1]))
        import os
        os.replace(args.port_file + ".part", args.port_file)
    deadline = time.monotonic() + args.lifetime
    served = 0
    while time.monotonic() < deadline and served < args.max_connections:
        try:
            client, _ = listener.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        served += 1
        if args.match is not None:
            fault = False
        elif args.first_only:
            fault = served == 1
        else:
            fault = rng.random() < args.fraction
        with lock:
            state["connections"] += 1
            if fault:
                state["faults"] += 1
        write_stats(args.stats_file)
        target = serve_tcp if args.mode == "tcp" else serve_http
        threading.Thread(target=target, args=(client, args, fault), daemon=True).start()
    listener.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
