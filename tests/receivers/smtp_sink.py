#!/usr/bin/python3
"""An SMTP sink for rectifyd's email delivery tests (aiosmtpd).

Run it with Debian's /usr/bin/python3 (needs the python3-aiosmtpd package):

    /usr/bin/python3 tests/receivers/smtp_sink.py --port-file P --log L
        [--host 127.0.0.1] [--port 0] [--tls-cert CERT --tls-key KEY]
        [--auth-user U --auth-password W [--auth-required]] [--watch-parent]

Start-up
    Listens on HOST:PORT (default 127.0.0.1:0, a free port chosen without a race: the
    socket is bound before the server starts), then writes the port as decimal text to
    --port-file (temp file + rename: seeing the file means it is complete and the server
    is accepting). Runs until SIGTERM/SIGINT, or with --watch-parent until the process that
    started it is gone.

What it records
    Every accepted message is appended to --log as ONE JSON line, written and flushed
    before the final "250" is sent (so once the client has its answer, the line is there):
        {"seq": 1, "time": 1700000000.1, "peer": "127.0.0.1",
         "mail_from": "a@b", "rcpt_tos": ["c@d"],
         "data": "Date: ...\\r\\nSubject: ...\\r\\n\\r\\n...",   # the raw message, as text
         "tls": false,                 # whether the session ran STARTTLS first
         "auth_user": "u" or null}     # the AUTH login, if the client authenticated
    `data` is the message exactly as received (after SMTP dot-unstuffing), decoded as UTF-8
    with invalid bytes replaced; parse it with Python's `email` package or by hand.

Options
    --tls-cert/--tls-key   offer STARTTLS with this certificate (PEM). Without them the
                           sink does NOT advertise STARTTLS, which is how a test checks that
                           a client requiring STARTTLS refuses to send in clear text.
    --auth-user/--auth-password
                           accept AUTH PLAIN/LOGIN with exactly these credentials (allowed
                           without TLS: this is a test sink); wrong ones get 535.
    --auth-required        refuse MAIL before a successful AUTH (530).

Scripted failures (no control channel needed)
    A recipient whose local part is "reject-NNN" (e.g. reject-550@example.com or
    reject-451@example.com) is refused at RCPT TO with SMTP code NNN, so a test can provoke
    a permanent (5xx) or a transient (4xx) failure per message.
"""

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REJECT_RE = re.compile(r"^reject-([45][0-9][0-9])@", re.IGNORECASE)


class Sink:
    """The aiosmtpd handler: records messages, applies the scripted rejections."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.seq = 0
        self.log = open(log_path, "a", encoding="utf-8", buffering=1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        m = REJECT_RE.match(address)
        if m:
            code = m.group(1)
            return "%s %s injected rejection of <%s>" % (
                code, "5.1.1" if code[0] == "5" else "4.3.0", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = session.auth_data.login.decode("utf-8", errors="replace")
        with self.lock:
            self.seq += 1
            entry = {
                "seq": self.seq,
                "time": time.time(),
                "peer": session.peer[0] if session.peer else None,
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "data": content,
                "tls": session.ssl is not None,
                "auth_user": auth_user,
            }
            self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.log.flush()
        return "250 Message accepted for delivery"


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode("utf-8")
        self.password = password.encode("utf-8")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: let aiosmtpd answer "535 5.7.8 Authentication credentials invalid"
        # (handled=True would mean we already answered, and the client would wait forever).
        return AuthResult(success=False, handled=False)


class BoundController(Controller):
    """A Controller serving a socket bound before start(): port 0 works without a race."""

    def __init__(self, handler, sock, **kwargs):
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self._sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True, help="append one JSON line per message here")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--auth-user")
    p.add_argument("--auth-password", default="")
    p.add_argument("--auth-required", action="store_true")
    p.add_argument("--watch-parent", action="store_true",
                   help="exit when the parent process goes away")
    args = p.parse_args()
    # aiosmtpd logs every session (and a deprecation notice) at info/warning: keep stderr for
    # real problems.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    smtp_kwargs = {
        "server_hostname": "smtp-sink.test",
        "enable_SMTPUTF8": True,
        "auth_require_tls": False,
        "auth_required": args.auth_required,
        # A test sink: never let a bad client hold the loop for minutes.
        "timeout": 30,
    }
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key or None)
        smtp_kwargs["tls_context"] = ctx
    if args.auth_user:
        smtp_kwargs["authenticator"] = Authenticator(args.auth_user, args.auth_password)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(64)
    sock.setblocking(False)

    controller = BoundController(Sink(args.log), sock, **smtp_kwargs)
    controller.start()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())

    write_port_file(args.port_file, sock.getsockname()[1])
    print("smtp_sink listening on %s:%d" % sock.getsockname()[:2], file=sys.stderr,
          flush=True)

    parent = os.getppid()
    while not done.wait(0.5):
        if args.watch_parent and os.getppid() != parent:
            break
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
