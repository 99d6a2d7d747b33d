"""A proxy in front of an AWS emulator that fails chosen calls the way AWS does.

Every request goes to the upstream emulator unless a fault matches its action: the `Action`
form field for query-protocol services (STS) or the `X-Amz-Target` header for JSON services
(Secrets Manager). Matching faults apply in the order they were added: each stalls for its
`delay` first, and the first with a `code` answers in that protocol's error format. `"action":
"*"` matches every call (with only a delay: latency on every call, as a distant region has);
`"contains"` narrows a fault to requests whose body holds that text (one secret's id).

Control (plain HTTP, loopback only):
  POST   /__faults  {"action": "AssumeRoleWithWebIdentity", "code": "InvalidIdentityToken",
                     "message": "...", "status": 400, "delay": 0, "contains": "..."}   adds a fault
  DELETE /__faults                                                  removes every fault
  GET    /__faults/calls   how many calls of each action went through (faulted or not)
  DELETE /__faults/calls   starts counting afresh

Usage: fault_proxy.py PORT UPSTREAM_URL
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = []
CALLS = {}
LOCK = threading.Lock()
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


def action_of(headers, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1], "json"
    if b"Action=" in body:
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        return fields.get("Action", [""])[0], "query"
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    # Headers and body leave in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux) for clients that ACK lazily, as boto3's do.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status, body, headers):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, body):
        if self.path.startswith("/__faults/calls"):
            with LOCK:
                if self.command == "DELETE":
                    CALLS.clear()
                counts = json.dumps(CALLS).encode()
            return self.answer(200, counts, [("Content-Type", "application/json")])
        with LOCK:
            if self.command == "DELETE":
                FAULTS.clear()
            else:
                FAULTS.append(json.loads(body))
        self.answer(204, b"", [])

    def fail(self, fault, protocol):
        time.sleep(fault.get("delay", 0))
        code = fault.get("code")
        if not code:
            return False
        status = fault.get("status", 400)
        message = fault.get("message", code)
        request_id = str(uuid.uuid4())
        if protocol == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-errortype", code),
                       ("x-amzn-RequestId", request_id)]
        else:
            kind = "Receiver" if status >= 500 else "Sender"
            body = (
                '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
        self.answer(status, body, headers)
        return True

    def forward(self, body):
        target = urllib.parse.urlsplit(self.upstream)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        headers = [(k, v) for k, v in response.getheaders()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        self.answer(response.status, payload, headers)
        connection.close()

    def handle_any(self):
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as clients with timeouts do on a stalled call

    def route(self):
        body = self.body()
        if self.path.startswith("/__faults"):
            return self.control(body)
        action, protocol = action_of(self.headers, body)
        with LOCK:
            if action:
                CALLS[action] = CALLS.get(action, 0) + 1
            faults = [f for f in FAULTS if action and f.get("action") in (action, "*")
                      and f.get("contains", "").encode() in body]
        for fault in faults:
            if self.fail(fault, protocol):
                return
        try:
            self.forward(body)
        except ConnectionRefusedError:
            # The emulator is still starting (or gone): say so rather than hang up.
            self.answer(502, b"upstream AWS emulator not reachable", [("Content-Type", "text/plain")])

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # Many clients connect at once (benchmarks): the default backlog of 5 drops their SYNs,
    # and a dropped SYN costs a client a second or more before it tries again.
    request_queue_size = 256

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    port, upstream = int(sys.argv[1]), sys.argv[2]
    Handler.upstream = upstream
    server = Server(("127.0.0.1", port), Handler)
    print(f"fault proxy on 127.0.0.1:{port} -> {upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
