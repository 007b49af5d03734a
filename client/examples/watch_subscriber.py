#!/usr/bin/python3
"""An example subscriber to rectifyd's change stream, in Python.

It uses Debian's python3-grpcio (run it with /usr/bin/python3: a pyenv or venv python does not
see Debian's modules) and Python stubs generated from proto/rectify/v1/rectify.proto with
python3-grpc-tools. It watches WatchService.Watch, prints every change once, in revision order,
and keeps going across restarts of the daemon:

- It always knows the next revision it needs (`next`). A Watch starts at `next` (inclusive).
  After each response `next` becomes the last revision in it + 1 (events or a progress
  bookmark), so nothing is printed twice and nothing is skipped.
- When the stream breaks (the daemon stops: UNAVAILABLE with trailing metadata
  x-rectify-resume-revision; the network fails; a slow stream is cut off) it waits a little and
  calls Watch again from `next`. The daemon replays from its event log what was committed
  meanwhile. Retries back off from 0.1 s to --max-backoff.
- With --addr-file it re-reads the daemon's address before every attempt, so a daemon restarted
  on another port (`rectifyd --listen 127.0.0.1:0 --addr-file FILE`) is found again.
- With --state-file it stores `next` after each response, so a restarted subscriber resumes
  where it stopped.
- OUT_OF_RANGE (the history it needs was compacted) and request errors are final: it says so
  and exits 1; the operator decides how to re-sync (for instance from ListItems).

Output (stdout, flushed per response), one line per event:
    REVISION KIND ITEM_ID PREV_STATE->STATE action=ACTION actor=NAME
or with -o json the Event message in protobuf's JSON mapping (one line each) and
{"progress":{"revision":"N"}} for bookmarks. Diagnostics go to stderr.
Exit codes: 0 after SIGTERM/SIGINT, 1 on a final RPC error, 2 on a usage error.
"""

import argparse
import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import grpc

RESUME_TRAILER = "x-rectify-resume-revision"
# Codes after which watching again from `next` is the right thing to do.
RETRYABLE = {
    grpc.StatusCode.UNAVAILABLE,         # daemon stopping or unreachable
    grpc.StatusCode.RESOURCE_EXHAUSTED,  # a slow stream cut off by the daemon
    grpc.StatusCode.CANCELLED,           # cancelled by the other side
    grpc.StatusCode.DEADLINE_EXCEEDED,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.UNKNOWN,
}


class Stop(Exception):
    """Raised by the SIGTERM/SIGINT handler to leave whatever call is waiting."""


def on_signal(signum, frame):
    raise Stop()


def log(msg):
    print("watch_subscriber: " + msg, file=sys.stderr, flush=True)


def load_stubs(stubs_dir, proto_dir):
    """Imports rectify_pb2 / rectify_pb2_grpc, generating them into a temp dir if needed."""
    if stubs_dir:
        sys.path.insert(0, stubs_dir)
    try:
        from rectify.v1 import rectify_pb2, rectify_pb2_grpc
        return rectify_pb2, rectify_pb2_grpc
    except ImportError:
        if stubs_dir:
            raise
    # Not generated yet: do it now from the proto next to this script (never committed).
    proto = os.path.join(proto_dir, "rectify", "v1", "rectify.proto")
    out = tempfile.mkdtemp(prefix="rectify-py-stubs-")
    atexit.register(shutil.rmtree, out, True)
    rc = subprocess.call([sys.executable, "-m", "grpc_tools.protoc", "-I" + proto_dir,
                          "--python_out=" + out, "--grpc_python_out=" + out, proto])
    if rc != 0:
        sys.exit("watch_subscriber: cannot generate stubs from %s (is python3-grpc-tools "
                 "installed? deploy/install-deps.sh installs it)" % proto)
    sys.path.insert(0, out)
    from rectify.v1 import rectify_pb2, rectify_pb2_grpc
    return rectify_pb2, rectify_pb2_grpc


def percent_encode(name):
    """The x-rectify-actor form: bytes outside printable ASCII, and '%', as %XX."""
    out = []
    for b in name.encode("utf-8"):
        out.append(chr(b) if 0x20 < b < 0x7F and b != 0x25 else "%%%02X" % b)
    return "".join(out)


class Subscriber:
    def __init__(self, args, pb, pb_grpc):
        self.args = args
        self.pb = pb
        self.pb_grpc = pb_grpc
        self.metadata = (("x-rectify-actor", percent_encode(args.actor)),)
        self.addr = None
        self.channel = None
        self.next = args.start
        self.printed = 0
        self.phase = ""
        if self.next is None and args.state_file and os.path.exists(args.state_file):
            with open(args.state_file) as f:
                self.next = int(f.read().strip() or "0") or None
            if self.next is not None:
                log("resuming from revision %d (state file %s)" % (self.next, args.state_file))

    # -- connection ------------------------------------------------------------------------

    def current_addr(self):
        if not self.args.addr_file:
            return self.args.addr
        try:
            with open(self.args.addr_file) as f:
                line = f.readline().strip()
        except OSError:
            return None  # not written yet, or removed while the daemon is down
        return line or None

    def connect(self):
        addr = self.current_addr()
        if addr is None:
            return False
        if addr != self.addr:
            if self.channel is not None:
                self.channel.close()
            self.addr = addr
            self.channel = grpc.insecure_channel(addr, options=[
                ("grpc.initial_reconnect_backoff_ms", 100),
                ("grpc.min_reconnect_backoff_ms", 100),
                ("grpc.max_reconnect_backoff_ms", 1000),
            ])
        return True

    # -- the loop --------------------------------------------------------------------------

    def run(self):
        backoff = 0.1
        while True:
            if not self.connect():
                log("no address in %s yet; retrying in %.1fs" % (self.args.addr_file, backoff))
            else:
                try:
                    if self.watch_once():
                        backoff = 0.1  # it delivered something: the next break starts afresh
                except grpc.RpcError as e:
                    if not self.handle_error(e):
                        return 1
            time.sleep(backoff)
            backoff = min(backoff * 2, self.args.max_backoff)

    def watch_once(self):
        """One Watch call until the stream ends. Returns whether any response arrived."""
        self.phase = "cannot read the current revision"
        if self.next is None:
            # "From now", pinned to a number so that a break before the first event loses
            # nothing: everything after the current revision.
            admin = self.pb_grpc.AdminServiceStub(self.channel)
            info = admin.GetServerInfo(self.pb.GetServerInfoRequest(), metadata=self.metadata,
                                       timeout=10)
            self.next = info.revision + 1
        req = self.pb.WatchRequest(start_revision=self.next,
                                   item_ids=self.args.item, units=self.args.unit,
                                   kinds=[self.kind_value(k) for k in self.args.kind],
                                   progress_notify=self.args.progress_notify)
        stub = self.pb_grpc.WatchServiceStub(self.channel)
        log("watching %s from revision %d" % (self.addr, self.next))
        self.phase = "stream ended"
        call = stub.Watch(req, metadata=self.metadata)
        got = False
        try:
            for resp in call:
                got = True
                self.handle(resp)
        except Stop:
            call.cancel()
            raise
        # The daemon ended the stream with OK: nothing in the API does that today.
        log("stream ended by the daemon (OK) at next=%d; watching again" % self.next)
        return got

    def handle(self, resp):
        if resp.events:
            for ev in resp.events:
                if ev.revision < self.next:
                    log("duplicate revision %d ignored (next is %d)" % (ev.revision, self.next))
                    continue
                self.print_event(ev)
                self.next = ev.revision + 1
        else:
            if self.args.output == "json":
                print(json.dumps({"progress": {"revision": str(resp.revision)}}))
            self.next = max(self.next, resp.revision + 1)
        sys.stdout.flush()
        self.save_state()

    def handle_error(self, e):
        """Decides after a broken stream: True = watch again, False = give up."""
        code = e.code()
        trailer = None
        for k, v in (e.trailing_metadata() or ()):
            if k == RESUME_TRAILER:
                trailer = int(v)
        if code == grpc.StatusCode.OUT_OF_RANGE:
            log("OUT_OF_RANGE: %s; revision %d is compacted (compact revision %s). Re-sync from "
                "ListItems and watch from its revision + 1." % (e.details(), self.next, trailer))
            return False
        if code not in RETRYABLE:
            log("%s: %s" % (code.name, e.details()))
            return False
        if trailer is not None and self.next is not None and trailer > self.next:
            # The daemon vouches that every matching event below `trailer` was sent (they were
            # filtered out, or a bookmark did not reach us): no need to ask for them again.
            self.next = trailer
            self.save_state()
        log("%s: %s: %s; watching again from %s" %
            (self.phase, code.name, e.details(),
             "revision %d" % self.next if self.next is not None else "now"))
        return True

    # -- output ----------------------------------------------------------------------------

    def kind_value(self, name):
        name = name.upper().replace("-", "_")
        if not name.startswith("EVENT_KIND_"):
            name = "EVENT_KIND_" + name
        return self.pb.EventKind.Value(name)

    def print_event(self, ev):
        pb = self.pb
        if self.args.output == "json":
            from google.protobuf import json_format
            print(json_format.MessageToJson(ev, indent=None, ensure_ascii=False))
        else:
            def short(enum, value, prefix):
                return enum.Name(value)[len(prefix):] if value else "-"
            line = "%d %s %s %s->%s" % (
                ev.revision, short(pb.EventKind, ev.kind, "EVENT_KIND_"), ev.item_id or "-",
                short(pb.State, ev.prev_state, "STATE_"),
                short(pb.State, ev.item.state, "STATE_"))
            if ev.action:
                line += " action=" + short(pb.Action, ev.action, "ACTION_")
            line += " actor=" + (ev.actor or "-")
            print(line)
        self.printed += 1

    def save_state(self):
        if not self.args.state_file or self.next is None:
            return
        tmp = self.args.state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % self.next)
        os.replace(tmp, self.args.state_file)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description="Print rectifyd's changes as they happen; survives "
                                            "daemon restarts.")
    p.add_argument("--addr", default=os.environ.get("RECTIFY_ADDR", "127.0.0.1:50051"),
                   help="daemon address (default $RECTIFY_ADDR, else 127.0.0.1:50051)")
    p.add_argument("--addr-file", help="read the address from this file (first line) before "
                                       "every attempt; wins over --addr")
    p.add_argument("--as", dest="actor", default=os.environ.get("RECTIFY_ACTOR",
                                                                "rectify-subscriber"),
                   help="caller name sent as x-rectify-actor (default $RECTIFY_ACTOR)")
    p.add_argument("--from", dest="start", type=int, default=None,
                   help="first revision to print (inclusive); default: the state file, else "
                        "everything after the current revision")
    p.add_argument("--state-file", help="keep the next revision here across restarts")
    p.add_argument("--item", action="append", default=[], help="only this item (repeatable)")
    p.add_argument("--unit", action="append", default=[], help="only this unit (repeatable)")
    p.add_argument("--kind", action="append", default=[],
                   help="only this event kind, e.g. created, transitioned (repeatable)")
    p.add_argument("--progress-notify", action="store_true",
                   help="ask for periodic bookmarks (keeps --state-file fresh under filters)")
    p.add_argument("-o", "--output", choices=("text", "json"), default="text")
    p.add_argument("--max-backoff", type=float, default=5.0,
                   help="longest wait between reconnect attempts, seconds (default 5)")
    p.add_argument("--stubs", default=os.environ.get("RECTIFY_PY_STUBS"),
                   help="directory holding rectify/v1/rectify_pb2.py (default "
                        "$RECTIFY_PY_STUBS; without it they are generated into a temp dir)")
    p.add_argument("--proto-dir", default=os.path.join(here, "..", "..", "proto"),
                   help="where rectify/v1/rectify.proto is, for generating the stubs")
    args = p.parse_args()
    if args.start is not None and args.start < 1:
        p.error("--from must be at least 1")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pb, pb_grpc = load_stubs(args.stubs, args.proto_dir)
    sub = Subscriber(args, pb, pb_grpc)
    for k in args.kind:
        try:
            sub.kind_value(k)
        except ValueError:
            p.error("unknown --kind %s" % k)
    try:
        rc = sub.run()
    except Stop:
        rc = 0
    log("stopped after %d events; next revision %s" %
        (sub.printed, sub.next if sub.next is not None else "unknown"))
    sys.stdout.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
