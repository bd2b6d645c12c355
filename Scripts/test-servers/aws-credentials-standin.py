#!/usr/bin/env python3
"""A stand-in for the AWS container credentials endpoint and the EC2 instance metadata
service (IMDSv2), for dctc's tests. Started by the tests on a free 127.0.0.1 port:

    python3 aws-credentials-standin.py PORT ACCESS_KEY_ID SECRET_ACCESS_KEY

Each test uses its own path prefix (TENANT), so tests can share one server:
  GET  /container/TENANT[-long]        container credentials; needs "Authorization: token-TENANT"
  PUT  /imds/TENANT/latest/api/token   IMDSv2 session token (needs the TTL header)
  GET  /imds/TENANT/latest/meta-data/iam/security-credentials/[ROLE]   needs the session token
  GET  /count/TENANT                   how many credentials were handed out for TENANT
Credentials expire in 5 minutes (inside dctc's refresh window: every use asks again), or in
an hour for a TENANT ending in "-long". The server exits when its parent process does.
"""
import datetime
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, KEY_ID, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3]
COUNTS = {}
LOCK = threading.Lock()


def credentials(tenant, token_key):
    with LOCK:
        COUNTS[tenant] = COUNTS.get(tenant, 0) + 1
        n = COUNTS[tenant]
    minutes = 60 if tenant.endswith("-long") else 5
    expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return {"Code": "Success", "AccessKeyId": KEY_ID, "SecretAccessKey": SECRET,
            token_key: "session-%s-%d" % (tenant, n), "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        parts = self.path.split("/")
        if len(parts) >= 5 and parts[1] == "imds" and self.path.endswith("/latest/api/token"):
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self.answer(400, "missing TTL", "text/plain")
            return self.answer(200, "imds-token-" + parts[2], "text/plain")
        self.answer(404, "not found", "text/plain")

    def do_GET(self):
        parts = self.path.split("/")
        if len(parts) == 3 and parts[1] == "container":
            tenant = parts[2]
            if self.headers.get("Authorization") != "token-" + tenant.replace("-long", ""):
                return self.answer(401, json.dumps({"message": "bad token"}))
            return self.answer(200, json.dumps(credentials(tenant, "Token")))
        if len(parts) >= 3 and parts[1] == "imds":
            tenant = parts[2]
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-token-" + tenant:
                return self.answer(401, "token required", "text/plain")
            rest = "/".join(parts[3:])
            if rest == "latest/meta-data/iam/security-credentials/":
                return self.answer(200, "dctc-test-role\n", "text/plain")
            if rest == "latest/meta-data/iam/security-credentials/dctc-test-role":
                return self.answer(200, json.dumps(credentials(tenant, "Token")))
            return self.answer(404, "not found", "text/plain")
        if len(parts) == 3 and parts[1] == "count":
            with LOCK:
                return self.answer(200, str(COUNTS.get(parts[2], 0)), "text/plain")
        self.answer(404, "not found", "text/plain")


def watch_parent(parent):
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("ready", flush=True)
server.serve_forever()
