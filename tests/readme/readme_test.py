#!/usr/bin/env python3
"""The README's commands, run as written and in the order written, so the README cannot drift.

Every ```sh block of README.md outside "Quick start" and "Building by hand" is read; a command
that spans lines inside quotes is joined, trailing `# comments` are dropped, and each line is run
with bash in a temporary directory holding a copy of examples/, with `flash` (the binary under
test) first on PATH, FLASH_MODELS a directory of links to the pulled models under their catalog
file names, FLASH_INDEX and the chat history in the temporary directory, and stdin /dev/null
(or the pipe the line itself has: `echo ... | flash ...`).

- Every `flash ...` line must exit 0, or with the status its comment names ("exit 4 if ...").
- Long commands are shortened with flags from SHORTEN (fewer samples, levels, tokens, steps).
- `flash serve` lines start the server in the background on a free port and pass when /health
  answers; the `curl` lines and `--endpoint` URLs that follow are pointed at the server running
  then (localhost:8080 becomes its port) and must return JSON without an "error".
- Lines that cannot run here are listed by SKIP with the reason ("skip: CMD — reason").

Prints 'N passed, N skipped, N failed' last; exit 1 on any failure, 77 (skip) when the default
model is not there.

Usage: readme_test.py --flash BIN --model-env FLASH_SMOLLM2 [--readme README.md] [--keep]
Environment: FLASH_SMOLLM2 (required), FLASH_GEMMA3 (the Gemma lines skip without it),
FLASH_TRAIN_PYTHON (`flash train` and what needs its output skip without it)."""
import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKIP_SECTIONS = ("Quick start", "Building by hand")
COMMAND_TIMEOUT = 600

# Environment variable holding a pulled model -> its catalog name (src/store/catalog.cpp).
MODEL_ENVS = {"FLASH_SMOLLM2": "smollm2-135m-instruct", "FLASH_GEMMA3": "gemma3-270m"}
FALLBACK_FILE_NAMES = {"smollm2-135m-instruct": "SmolLM2-135M-Instruct.Q4_1.gguf",
                       "gemma3-270m": "gemma-3-270m-q4_k_m.gguf"}

# Long commands, shortened: (the words after `flash`, [(flag, value or None for a switch)]).
# A flag already on the line gets the value given here; otherwise it is added.
SHORTEN = [
    (("eval", "ladder"), [("--levels", "Q8_0"), ("--limit", "1"), ("--fidelity-tokens", "256")]),
    (("eval", "all"), [("--limit", "1")]),
    (("eval", "instruct"), [("--limit", "2")]),
    (("eval", "tools"), [("--limit", "2")]),
    (("eval", "grounded"), [("--limit", "2")]),
    (("eval", "fidelity"), [("--fidelity-tokens", "256")]),
    (("bench",), [("-p", "64"), ("-n", "16"), ("-r", "1")]),
    (("data", "build"), [("--size", "small")]),
    (("train",), [("--limit", "4"), ("--max-steps", "1"), ("--batch", "1"), ("--max-len", "256"),
                  ("--eval-examples", "2")]),
]

# Lines that cannot run here: (pattern searched in the line, reason, applies(ctx)).
SKIP = [
    (r"^flash pull (https?|hf)://", "downloads from the network", lambda c: True),
    (r"^flash train\b", "needs the PyTorch stack: set FLASH_TRAIN_PYTHON (scripts/install_train.sh)",
     lambda c: not c.train_python),
    (r"run/model\.gguf|--run run\b", "needs run/ from `flash train`, which did not run",
     lambda c: not c.trained),
    (r"gemma3-270m", "FLASH_GEMMA3 is not set to the pulled Gemma 3 270M", lambda c: not c.gemma),
]

# What some lines must print (on stdout) besides exiting 0: (pattern searched in the line,
# pattern the output must match, pattern it must not match, what is checked).
EXPECT = [
    (r'^flash call --tools \S+ "Use the get_weather tool', r'"tool_calls"', None,
     "the default model answers with a call"),
    (r"^flash run -m gemma3-270m --raw .*--stop", r"Paris", r"Question:",
     "the base model answers and stops before the next question"),
    (r"\| flash grammar check", r"(?m)^valid$", None, "the example document is valid"),
]


# ---- reading the README -------------------------------------------------------------------------

def scan(text):
    """Walks shell text; returns (the quote still open at the end or None, the index where a
    `# comment` starts or None, the indexes of top-level `|`)."""
    quote, comment, pipes = None, None, []
    i = 0
    while i < len(text):
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = None
        elif quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
        elif ch == "\\":
            i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            comment = i
            break
        elif ch == "|" and text[i + 1:i + 2] != "|" and text[i - 1:i] != "|":
            pipes.append(i)
        i += 1
    return quote, comment, pipes


def readme_commands(path):
    """[(block number, line)] from the ```sh blocks outside SKIP_SECTIONS, continuation joined."""
    out, section, block = [], "", None
    with open(path, encoding="utf-8") as f:
        for raw in f.read().splitlines():
            if block is None:
                if raw.startswith("## "):
                    section = raw[3:].strip()
                elif raw.strip() == "```sh":
                    block = []
                continue
            if raw.strip() == "```":
                if section not in SKIP_SECTIONS:
                    out.append((section, block))
                block = None
                continue
            block.append(raw)
    commands = []
    for number, (_, lines) in enumerate(out):
        pending = ""
        for line in lines:
            if pending.endswith("\\"):  # a backslash continuation
                text = pending[:-1] + line
            elif pending:  # a quote still open: the newline is part of the argument
                text = pending + "\n" + line
            else:
                text = line
            quote, _, _ = scan(text)
            if quote or text.endswith("\\"):
                pending = text
                continue
            pending = ""
            if text.strip():
                commands.append((number, text))
        if pending:
            commands.append((number, pending))
    return commands


def split_comment(line):
    _, at, _ = scan(line)
    if at is None:
        return line.strip(), ""
    return line[:at].strip(), line[at + 1:].strip()


def env_prefix(tokens):
    env = {}
    while tokens and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tokens[0]):
        name, value = tokens[0].split("=", 1)
        env[name] = value
        tokens = tokens[1:]
    return env, tokens


def set_flag(tokens, flag, value):
    if flag in tokens:
        i = tokens.index(flag)
        if value is not None:
            tokens[i + 1] = value
        return tokens
    return tokens + ([flag] if value is None else [flag, value])


# ---- running ------------------------------------------------------------------------------------

class Context:
    def __init__(self, args, work, env):
        self.args, self.work, self.env = args, work, env
        self.gemma = bool(os.environ.get("FLASH_GEMMA3")) and os.path.exists(os.environ["FLASH_GEMMA3"])
        tp = os.environ.get("FLASH_TRAIN_PYTHON", "")
        self.train_python = bool(tp) and os.path.exists(tp)
        self.trained = False
        self.server = None  # (Popen, port, log path)
        self.passed = self.skipped = self.failed = 0

    def ok(self, what, seconds, note=""):
        self.passed += 1
        print(f"ok   [{seconds:5.1f} s] {what}{'  (' + note + ')' if note else ''}", flush=True)

    def skip(self, what, reason):
        self.skipped += 1
        print(f"skip: {what} — {reason}", flush=True)

    def fail(self, what, detail):
        self.failed += 1
        print(f"FAIL {what}\n{detail}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_server(ctx):
    if ctx.server is None:
        return
    proc, _, _ = ctx.server
    ctx.server = None
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def tail(path_or_text, n=3000):
    text = path_or_text
    if os.path.exists(str(path_or_text)):
        with open(path_or_text, errors="replace") as f:
            text = f.read()
    return text[-n:]


def start_server(ctx, shown, tokens, env):
    stop_server(ctx)
    port = free_port()
    tokens = set_flag(list(tokens), "--port", str(port))
    log = os.path.join(ctx.work, f"serve-{port}.log")
    run_env = dict(ctx.env, **env)
    try:
        with open(log, "w") as out:
            proc = subprocess.Popen(tokens, cwd=ctx.work, env=run_env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as e:
        ctx.fail(shown, f"cannot start it: {e}")
        return
    ctx.server = (proc, port, log)
    headers = {"Authorization": "Bearer " + env["FLASH_API_KEY"]} if "FLASH_API_KEY" in env else {}
    start = time.time()
    while time.time() - start < 120:
        if proc.poll() is not None:
            ctx.server = None
            ctx.fail(shown, f"the server exited with status {proc.returncode}:\n{tail(log)}")
            return
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/health", headers=headers)
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 200:
                    ctx.ok(shown, time.time() - start, f"serving on port {port}, /health ok")
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    stop_server(ctx)
    ctx.fail(shown, f"/health did not answer within 120 s:\n{tail(log)}")


def point_at_server(ctx, line):
    """localhost:8080 / 127.0.0.1:8080 -> the running server's port; None without a server."""
    if ctx.server is None:
        return None
    port = ctx.server[1]
    return re.sub(r"(localhost|127\.0\.0\.1):8080\b", f"127.0.0.1:{port}", line)


def run_shell(ctx, command):
    start = time.time()
    try:
        p = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=ctx.work, env=ctx.env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return None, f"timed out after {COMMAND_TIMEOUT} s\n{(e.stderr or '')[-2000:]}", time.time() - start
    return p, None, time.time() - start


def run_line(ctx, line):
    command, comment = split_comment(line)
    shown = command.replace("\n", "\\n")
    for pattern, reason, applies in SKIP:
        if re.search(pattern, command) and applies(ctx):
            ctx.skip(shown, reason)
            return
    allowed = {0}
    m = re.search(r"\bexit (\d+)\b", comment)
    if m:
        allowed.add(int(m.group(1)))

    _, _, pipes = scan(command)
    bounds = [-1] + pipes + [len(command)]
    segments = [command[bounds[i] + 1:bounds[i + 1]] for i in range(len(bounds) - 1)]
    last_tokens = shlex.split(segments[-1])
    env, words = env_prefix(last_tokens)

    if words[:1] == ["curl"]:
        pointed = point_at_server(ctx, command)
        if pointed is None:
            ctx.fail(shown, "no `flash serve` is running for this line")
            return
        p, error, seconds = run_shell(ctx, pointed)
        if error or p.returncode != 0:
            ctx.fail(shown, error or f"exit {p.returncode}\n{p.stderr[-2000:]}")
            return
        try:
            body = json.loads(p.stdout)
        except ValueError:
            ctx.fail(shown, f"the answer is not JSON:\n{p.stdout[-2000:]}")
            return
        if isinstance(body, dict) and "error" in body:
            ctx.fail(shown, f"the server answered an error:\n{p.stdout[-2000:]}")
            return
        ctx.ok(shown, seconds)
        return
    if words[:1] != ["flash"]:
        ctx.skip(shown, "not a flash command")
        return

    if words[1:2] == ["serve"]:
        start_server(ctx, shown, words, env)
        return

    notes = []
    for prefix, flags in SHORTEN:
        if tuple(words[1:1 + len(prefix)]) == prefix:
            for flag, value in flags:
                words = set_flag(words, flag, value)
            notes.append("shortened: " + " ".join(f + ("" if v is None else " " + v) for f, v in flags))
            break
    if "--endpoint" in words:
        if ctx.server is None:
            ctx.fail(shown, "no `flash serve` is running for --endpoint")
            return
        i = words.index("--endpoint")
        words[i + 1] = point_at_server(ctx, words[i + 1])
        notes.append(f"endpoint: the server on port {ctx.server[1]}")
    segments[-1] = " " + shlex.join([f"{k}={v}" for k, v in env.items()] + words)
    final = "|".join(segments).strip()

    p, error, seconds = run_shell(ctx, final)
    if error:
        ctx.fail(shown, error)
        return
    if p.returncode not in allowed:
        ctx.fail(shown, f"ran: {final}\nexit {p.returncode}\nstdout: {p.stdout[-1500:]}\n"
                        f"stderr: {p.stderr[-2500:]}")
        return
    for pattern, must, must_not, what in EXPECT:
        if re.search(pattern, command) and (not re.search(must, p.stdout) or
                                            (must_not and re.search(must_not, p.stdout))):
            ctx.fail(shown, f"ran: {final}\nexpected: {what}\nstdout: {p.stdout[-2000:]}")
            return
    if p.returncode != 0:
        notes.append(f"exit {p.returncode}, as the README says")
    if words[1:2] == ["train"]:
        ctx.trained = os.path.exists(os.path.join(ctx.work, "run", "model.gguf"))
    ctx.ok(shown, seconds, "; ".join(notes))


def catalog_file_names():
    names = dict(FALLBACK_FILE_NAMES)
    try:
        with open(os.path.join(SOURCE, "src", "store", "catalog.cpp")) as f:
            text = f.read()
        for name, file_name in re.findall(r'\.name = "([^"]+)".*?\.file_name = "([^"]+)"', text, re.S):
            names[name] = file_name
    except OSError:
        pass
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    ap.add_argument("--model-env", required=True)
    ap.add_argument("--readme", default=os.path.join(SOURCE, "README.md"))
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    args = ap.parse_args()
    model = os.environ.get(args.model_env, "")
    if not model or not os.path.exists(model):
        print(f"{args.model_env} is not set to the pulled model; skipping")
        return 77
    flash = os.path.abspath(args.flash)
    began = time.time()

    work = tempfile.mkdtemp(prefix="flash-readme-")
    models = os.path.join(work, ".models")
    os.makedirs(models)
    files = catalog_file_names()
    for var in sorted(set(MODEL_ENVS) | {args.model_env}):
        path = os.environ.get(var, "")
        name = MODEL_ENVS.get(var)
        if path and os.path.exists(path) and name in files:
            os.symlink(os.path.abspath(path), os.path.join(models, files[name]))
    shutil.copytree(os.path.join(SOURCE, "examples"), os.path.join(work, "examples"))

    env = dict(os.environ)
    env.pop("FLASH_API_KEY", None)
    env.update(PATH=os.path.dirname(flash) + os.pathsep + env.get("PATH", ""),
               FLASH_MODELS=models, FLASH_INDEX=os.path.join(work, ".index"),
               XDG_STATE_HOME=os.path.join(work, ".state"), NO_COLOR="1")
    ctx = Context(args, work, env)
    print(f"working in {work} with {flash}", flush=True)

    block = None
    try:
        for number, line in readme_commands(args.readme):
            if number != block:  # a server lives until the end of its block
                stop_server(ctx)
                block = number
            run_line(ctx, line)
    finally:
        stop_server(ctx)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"README commands in {time.time() - began:.0f} s")
    print(f"{ctx.passed} passed, {ctx.skipped} skipped, {ctx.failed} failed")
    return 1 if ctx.failed else 0


if __name__ == "__main__":
    sys.exit(main())
