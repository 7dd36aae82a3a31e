"""Start and stop `flash serve` for the Python tests and the load benchmark.

    with Server(flash, model, ["--slots", "2"]) as srv:
        status, headers, body = srv.request("GET", "/health")
        client = openai.OpenAI(base_url=srv.url + "/v1", api_key="none")

The server is started with `--port 0`; the port is read from its stderr line
`flash serve: listening on http://HOST:PORT`, then `GET /health` is polled until it answers
200 (the model may still be loading). If the process exits first, or nothing is ready within
the timeout, ServerError carries everything it wrote on stderr. Leaving the context
terminates it (SIGTERM, then SIGKILL)."""
import argparse
import http.client
import json
import os
import re
import subprocess
import threading
import time

LISTENING = re.compile(r"flash serve: listening on http://(\[[^\]]+\]|[^\s:/]+):(\d+)")


class ServerError(RuntimeError):
    pass


class Server:
    def __init__(self, flash, model, args=(), env=None, ready_timeout=120.0, host="127.0.0.1"):
        self.flash = flash
        self.model = model
        self.args = [str(a) for a in args]
        self.ready_timeout = ready_timeout
        self.connect_host = host
        self.env = dict(os.environ)
        # A key in the caller's environment would silently switch authentication on, and an
        # index would give /v1/answers documents the test did not bring.
        self.env.pop("FLASH_API_KEY", None)
        self.env.pop("FLASH_INDEX", None)
        if env:
            self.env.update(env)
        self.proc = None
        self.port = None
        self.health_seen = []  # (status, body) of every /health poll before it was ready
        self._stderr = []
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._reader = None

    # ---- lifecycle ----

    @property
    def command(self):
        return [self.flash, "serve", "-m", self.model, "--port", "0", *self.args]

    def start(self):
        self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env=self.env)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.ready_timeout
        while not self._listening.wait(0.05):
            self._check_alive("before it listened")
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"no 'listening on' line within {self.ready_timeout:.0f} s\n"
                                  f"command: {' '.join(self.command)}\nstderr:\n{self.stderr()}")
        last = None
        while True:
            self._check_alive("before /health answered 200")
            try:
                status, _, body = self.request("GET", "/health", timeout=5)
                self.health_seen.append((status, body))
                if status == 200:
                    return self
                last = f"{status} {body!r}"
            except OSError as e:
                last = repr(e)
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(f"/health not 200 within {self.ready_timeout:.0f} s "
                                  f"(last: {last})\nstderr:\n{self.stderr()}")
            time.sleep(0.1)

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)
        return self.proc.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def _check_alive(self, when):
        if self.proc.poll() is not None:
            if self._reader is not None:
                self._reader.join(timeout=5)
            raise ServerError(f"flash serve exited with {self.proc.returncode} {when}\n"
                              f"command: {' '.join(self.command)}\nstderr:\n{self.stderr()}")

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._lock:
                self._stderr.append(line)
            if self.port is None:
                m = LISTENING.search(line)
                if m:
                    self.port = int(m.group(2))
                    self._listening.set()
        self.proc.stderr.close()

    def stderr(self, last=200):
        with self._lock:
            return "\n".join(self._stderr[-last:])

    # ---- HTTP helpers ----

    @property
    def url(self):
        return f"http://{self.connect_host}:{self.port}"

    @property
    def v1(self):
        return self.url + "/v1"

    def connection(self, timeout=120):
        return http.client.HTTPConnection(self.connect_host, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=120):
        """One request on a fresh connection: (status, headers as a lower-cased dict, body).
        A dict or list body is sent as JSON; the answer is parsed as JSON when it says so."""
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            rh = {k.lower(): v for k, v in resp.getheaders()}
            if "json" in rh.get("content-type", ""):
                try:
                    return resp.status, rh, json.loads(data)
                except ValueError:
                    pass
            return resp.status, rh, data.decode("utf-8", "replace")
        finally:
            conn.close()

    def metrics(self, headers=None):
        """/metrics as {name: [(labels, value)]}, checked to be Prometheus text."""
        status, _, text = self.request("GET", "/metrics", headers=headers)
        if status != 200:
            raise AssertionError(f"/metrics answered {status}: {text!r}")
        return parse_prometheus(text)


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def parse_prometheus(text):
    """Prometheus text exposition format: `# HELP`/`# TYPE` comments and `name{labels} value
    [timestamp]` lines. Raises ValueError naming the first line that is neither."""
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3:
                    raise ValueError(f"line {n}: {parts[1]} without a metric name: {line!r}")
                if parts[1] == "TYPE" and (len(parts) < 4 or parts[3].strip() not in (
                        "counter", "gauge", "histogram", "summary", "untyped")):
                    raise ValueError(f"line {n}: bad TYPE: {line!r}")
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"line {n} is not `name{{labels}} value`: {line!r}")
        labels = {}
        if m.group(3):
            rest = m.group(3)
            pos = 0
            while pos < len(rest):
                lm = _LABEL.match(rest, pos)
                if not lm:
                    raise ValueError(f"line {n}: bad labels {m.group(2)!r}")
                labels[lm.group(1)] = lm.group(2)
                pos = lm.end()
        value = m.group(4)
        try:
            v = float(value)
        except ValueError:
            raise ValueError(f"line {n}: value {value!r} is not a number") from None
        out.setdefault(m.group(1), []).append((labels, v))
    return out


def metric_total(metrics, name):
    """The sum of every sample of a metric (over its labels); None when it is absent."""
    if name not in metrics:
        return None
    return sum(v for _, v in metrics[name])


# ---- a small test runner shared by the scripts in this folder

class Failure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Context:
    """What a test function gets: .srv (the Server) plus whatever the group's setup adds."""


def run_group(name, flash, model, server_args, tests, select, results, setup=None, env=None):
    """Start one server, run `tests` (functions of a Context) against it, stop it. Appends
    (test name, passed, detail) to results; a server that dies fails the group there, and one
    still alive at the end is recorded as a passing '<group>: server still alive' check."""
    import traceback
    tests = [f for f in tests if not select or any(s in f.__name__ for s in select)]
    if not tests:
        return
    print(f"== {name}: flash serve {' '.join(server_args)}", flush=True)
    try:
        srv = Server(flash, model, server_args, env=env).start()
    except Exception as e:  # noqa: BLE001
        for f in tests:
            results.append((f.__name__, False, f"server did not start: {e}"))
        print(f"FAIL {name}: server did not start\n{e}", flush=True)
        return
    t = Context()
    t.srv = srv
    try:
        if setup:
            try:
                setup(t)
            except Exception as e:  # noqa: BLE001
                for f in tests:
                    results.append((f.__name__, False, f"setup failed: {e!r}"))
                print(f"FAIL {name}: setup failed: {e!r}\n{srv.stderr()}", flush=True)
                return
        for f in tests:
            start = time.monotonic()
            try:
                f(t)
                ok, detail = True, ""
            except Failure as e:
                ok, detail = False, str(e)
            except Exception as e:  # noqa: BLE001
                ok, detail = False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
            results.append((f.__name__, ok, detail))
            print(f"{'ok  ' if ok else 'FAIL'} {f.__name__} ({time.monotonic() - start:.1f} s)"
                  + (f"\n     {detail}" if detail else ""), flush=True)
            if not srv.alive():
                detail = f"exited with {srv.proc.returncode} after {f.__name__}:\n{srv.stderr()}"
                results.append((f"{name}: server still alive", False, detail))
                print(f"FAIL {name}: server {detail}", flush=True)
                return
        alive = srv.alive()
        results.append((f"{name}: server still alive", alive, "" if alive else srv.stderr()))
    finally:
        srv.stop()


def report(results):
    """Print the summary; the exit status for the script."""
    failed = [r for r in results if not r[1]]
    print(f"\n{len(results) - len(failed)} passed, {len(failed)} failed")
    for name, _, detail in failed:
        print(f"FAIL {name}: {detail.splitlines()[0] if detail else ''}")
    return 1 if failed or not results else 0


def model_from_env(var):
    """The model path from the environment variable, or None after saying what is missing."""
    model = os.environ.get(var, "")
    if not model or not os.path.exists(model):
        print(f"{var} is not set to a model file (got {model!r}); set it to "
              f"SmolLM2-135M-Instruct's GGUF, e.g. the path `flash pull smollm2-135m-instruct` "
              f"prints")
        return None
    return model


def parse_test_args(description=None, groups=False, add_arguments=None, limit=None):
    """The command line every real-model test script takes, parsed and checked.

    --flash (the binary) and --model-env (the variable holding the GGUF's path); with
    `groups`, also -k (run only tests whose name contains it) and --server-arg (an extra
    argument for every `flash serve`); with `limit` (a default), --chat-template and --limit for
    scripts that run a suite on the model. `add_arguments(parser)` adds a script's own options.
    Returns (args, model): model is None after printing what is missing (exit with 1 then).
    """
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--flash", required=True, help="the flash binary")
    ap.add_argument("--model-env", default="FLASH_SMOLLM2",
                    help="the environment variable holding the model's path")
    if groups:
        ap.add_argument("-k", dest="select", action="append", default=[],
                        help="run only tests whose name contains this (repeatable)")
        ap.add_argument("--server-arg", action="append", default=[],
                        help="extra argument for every `flash serve` (repeatable), e.g. -t=2")
    if limit is not None:
        ap.add_argument("--chat-template", default="", help="passed to flash (default: the model's)")
        ap.add_argument("--limit", type=int, default=limit, help="cases to run")
    if add_arguments:
        add_arguments(ap)
    args = ap.parse_args()
    if not os.access(args.flash, os.X_OK):
        print(f"--flash {args.flash!r} is not an executable")
        return args, None
    return args, model_from_env(args.model_env)


class Checks:
    """A check that records a failure and goes on (each printed as it fails), for scripts that
    report every problem of one run; `check` above stops at the first."""

    def __init__(self):
        self.failures = []

    def __call__(self, cond, msg):
        if not cond:
            self.failures.append(msg)
            print("FAIL:", msg)
