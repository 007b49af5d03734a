#!/usr/bin/python3
"""A scriptable HTTP receiver for rectifyd's delivery tests (webhooks and group robots).

Run it with Debian's /usr/bin/python3 (stdlib only):

    /usr/bin/python3 tests/receivers/http_receiver.py --port-file P --log L [--mode ok]
        [--host 127.0.0.1] [--port 0] [--hang-seconds 3600] [--watch-parent]

Start-up
    Binds HOST:PORT (default 127.0.0.1:0, i.e. a free port), then writes the chosen port
    as decimal text to --port-file. The file is written to a temp name and renamed, so a
    reader that sees the file sees the whole port number: wait for the file, not for a log
    line. With --watch-parent it exits by itself once the process that started it is gone
    (so a crashed test leaves no receiver behind). Otherwise it runs until SIGTERM/SIGINT.

What it records
    Every request except /_control is appended to --log as ONE JSON line, written and
    flushed BEFORE the answer is sent (so once a client has its answer, the line is there):
        {"seq": 1, "time": 1700000000.123, "method": "POST", "path": "/cgi-bin/webhook/send",
         "query": "key=abc", "query_params": {"key": ["abc"]},
         "headers": {"Content-Type": "application/json", ...},   # names as sent
         "body": "...",            # UTF-8 text (invalid bytes replaced by U+FFFD)
         "mode": "ok", "status": 200}   # how it was answered
    Any path is accepted (the receiver stands in for WeCom, DingTalk, Feishu and generic
    webhooks alike); GET, POST, PUT, PATCH and DELETE are all recorded.

How it answers (the mode; --mode sets the initial one, default "ok")
    ok        200 {"errcode":0,"errmsg":"ok","code":0,"msg":"success","StatusCode":0}
              (a success for WeCom, DingTalk, Feishu and generic webhooks alike)
    fail500   500 {"error":"injected failure"}
    fail400   400 {"error":"injected bad request"}
    fail429   429 {"error":"injected rate limit"} with Retry-After: 1
    hang      records the request, then sleeps --hang-seconds (default 3600, longer than any
              client timeout) before answering 200; the client is expected to time out
    errcode   200 {"errcode":310000,"errmsg":"sign not match","code":310000,"msg":"sign not match"}
              (a robot's "HTTP 200 but failed")
    custom    answers with "status" and "body" from the control request

The control endpoint
    POST /_control with a JSON object changes how LATER requests are answered:
        {"mode": "fail500"}                       every later request
        {"mode": "fail500", "times": 2}           the next 2 requests, then back to "ok"
        {"mode": "custom", "status": 200, "body": "{\\"errcode\\":45009}"}
        {"mode": "hang", "hang_seconds": 5}
    It answers 200 {"mode": ..., "times": ..., "requests": N}. GET /_control answers the
    same without changing anything (N = requests recorded so far). Control requests are
    not written to the log. An unknown mode or bad JSON answers 400 and changes nothing.
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ("ok", "fail500", "fail400", "fail429", "hang", "errcode", "custom")

OK_BODY = {"errcode": 0, "errmsg": "ok", "code": 0, "msg": "success", "StatusCode": 0}
ERRCODE_BODY = {"errcode": 310000, "errmsg": "sign not match", "code": 310000,
                "msg": "sign not match"}


class State:
    """Shared by all handler threads; every field is guarded by `lock`."""

    def __init__(self, log_path, mode, hang_seconds):
        self.lock = threading.Lock()
        self.log_path = log_path
        self.mode = mode
        self.times = None  # None = until changed; N = for the next N requests
        self.hang_seconds = hang_seconds
        self.custom_status = 200
        self.custom_body = ""
        self.seq = 0
        # Line-buffered append; each record is written with one write() under the lock.
        self.log = open(log_path, "a", encoding="utf-8", buffering=1)

    def take_mode(self):
        """The mode for the request being answered now (consumes one of `times`)."""
        with self.lock:
            mode = self.mode
            answer = (mode, self.hang_seconds, self.custom_status, self.custom_body)
            if self.times is not None:
                self.times -= 1
                if self.times <= 0:
                    self.mode, self.times = "ok", None
            return answer

    def record(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log.flush()

    def describe(self):
        with self.lock:
            return {"mode": self.mode, "times": self.times, "requests": self.seq}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real robot endpoints
    server_version = "rectify-test-receiver/1"

    def log_message(self, fmt, *args):  # keep stderr quiet; the JSON log is the record
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(length) if length > 0 else b""

    def _answer(self, status, body, extra_headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra_headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer

    def _control(self, raw):
        state = self.server.state
        if self.command == "GET":
            return self._answer(200, json.dumps(state.describe()))
        try:
            req = json.loads(raw.decode("utf-8") or "{}")
            mode = req.get("mode", "ok")
            if mode not in MODES:
                raise ValueError("unknown mode %r (one of %s)" % (mode, ", ".join(MODES)))
            times = req.get("times")
            if times is not None and (not isinstance(times, int) or times < 1):
                raise ValueError("times must be a positive integer")
        except (ValueError, AttributeError) as e:
            return self._answer(400, json.dumps({"error": str(e)}))
        with state.lock:
            state.mode, state.times = mode, times
            if "hang_seconds" in req:
                state.hang_seconds = float(req["hang_seconds"])
            if mode == "custom":
                state.custom_status = int(req.get("status", 200))
                body = req.get("body", "")
                state.custom_body = body if isinstance(body, str) else json.dumps(body)
        return self._answer(200, json.dumps(state.describe()))

    def _handle(self):
        raw = self._read_body()
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            return self._control(raw)
        state = self.server.state
        mode, hang_seconds, custom_status, custom_body = state.take_mode()
        status, body, extra = 200, json.dumps(OK_BODY), ()
        if mode == "fail500":
            status, body = 500, json.dumps({"error": "injected failure"})
        elif mode == "fail400":
            status, body = 400, json.dumps({"error": "injected bad request"})
        elif mode == "fail429":
            status, body, extra = 429, json.dumps({"error": "injected rate limit"}), \
                (("Retry-After", "1"),)
        elif mode == "errcode":
            body = json.dumps(ERRCODE_BODY)
        elif mode == "custom":
            status, body = custom_status, custom_body
        state.record({
            "time": time.time(),
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "query_params": urllib.parse.parse_qs(url.query, keep_blank_values=True),
            "headers": {k: v for k, v in self.headers.items()},
            "body": raw.decode("utf-8", errors="replace"),
            "mode": mode,
            "status": status,
        })
        if mode == "hang":
            time.sleep(hang_seconds)
        self._answer(status, body, extra)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a hanging handler never blocks shutdown...
    block_on_close = False  # ...nor server_close()
    allow_reuse_address = True


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def watch_parent(server):
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            server.shutdown()
            return


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True, help="append one JSON line per request here")
    p.add_argument("--mode", default="ok", choices=MODES)
    p.add_argument("--hang-seconds", type=float, default=3600.0)
    p.add_argument("--watch-parent", action="store_true",
                   help="exit when the parent process goes away")
    args = p.parse_args()

    server = Server((args.host, args.port), Handler)
    server.state = State(args.log, args.mode, args.hang_seconds)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.watch_parent:
        threading.Thread(target=watch_parent, args=(server,), daemon=True).start()

    write_port_file(args.port_file, server.server_address[1])
    print("http_receiver listening on %s:%d" % server.server_address[:2], file=sys.stderr,
          flush=True)
    server.serve_forever(poll_interval=0.2)
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
