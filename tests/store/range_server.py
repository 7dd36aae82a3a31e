#!/usr/bin/env python3
"""A tiny HTTP file server for flash's store tests. Listens on 127.0.0.1 only.

Serves the files of --dir. Paths may start with modifiers that change how the file is served:
  /FILE                   honours "Range: bytes=A-" / "bytes=A-B" with 206 (416 past the end)
  /norange/FILE           ignores Range and always answers 200 with the whole file
  /drop/N/FILE            sends the headers of the full answer, then N bytes, then hangs up
  /droponce/N/FILE        like /drop/N/ on the first request for that path, normal afterwards
  /redirect/REST          answers 302 to /REST
  /status/CODE/REST       answers CODE with a small text body
A missing file answers 404. Each request is appended to --log as "METHOD PATH RANGE" (RANGE
is "-" when absent). The chosen port is written to --port-file once listening. The server
exits when its standard input closes (the test hung up) or after --max-seconds.
"""
import argparse
import http.server
import os
import re
import sys
import threading

ARGS = None
LOCK = threading.Lock()
DROPPED = set()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):  # keep the test output clean
        pass

    def _log(self):
        with LOCK, open(ARGS.log, "a") as f:
            f.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Range", "-")))

    def _text(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self._log()
        path = self.path.split("?", 1)[0]
        honour_range = True
        drop_after = None
        m = re.match(r"^/redirect(/.*)$", path)
        if m:
            self.send_response(302)
            self.send_header("Location", m.group(1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        m = re.match(r"^/status/(\d+)(/.*)$", path)
        if m:
            self._text(int(m.group(1)), "status %s\n" % m.group(1))
            return
        if path.startswith("/norange/"):
            honour_range = False
            path = path[len("/norange"):]
        m = re.match(r"^/drop(once)?/(\d+)(/.*)$", path)
        if m:
            with LOCK:
                first = path not in DROPPED
                DROPPED.add(path)
            if m.group(1) is None or first:
                drop_after = int(m.group(2))
            path = m.group(3)
        name = path.lstrip("/")
        full = os.path.join(ARGS.dir, name)
        if not name or "/" in name or not os.path.isfile(full):
            self._text(404, "not found\n")
            return
        with open(full, "rb") as f:
            data = f.read()
        start, end, code = 0, len(data), 200
        rng = self.headers.get("Range")
        if rng and honour_range:
            m = re.match(r"^bytes=(\d+)-(\d*)$", rng.strip())
            if not m:
                self._text(400, "bad range\n")
                return
            start = int(m.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if m.group(2):
                end = min(len(data), int(m.group(2)) + 1)
            code = 206
        self.send_response(code)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        self.send_header("Accept-Ranges", "bytes" if honour_range else "none")
        if code == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end - 1, len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        body = data[start:end]
        if drop_after is not None:
            self.wfile.write(body[:drop_after])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--max-seconds", type=float, default=300)
    ARGS = p.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, ARGS.port_file)

    def stop_when_stdin_closes():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        server.shutdown()

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    timer = threading.Timer(ARGS.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
