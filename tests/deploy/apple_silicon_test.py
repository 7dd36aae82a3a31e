#!/usr/bin/env python3
"""The Apple Silicon recipe (deploy/apple-silicon/) as far as Linux can take it: install-agent.sh
renders and installs the launchd agent into a scratch home folder (whose path has a space, as
~/Library/Application Support does), with `plutil` and `launchctl` stood in by recorders
(plutil's stand-in parses the plist with Python's plistlib); it refuses to install without the
model or the binary; the installed plist has no placeholders left and the keys that make it
start at login and restart on failure; its exact ProgramArguments, EnvironmentVariables and
WorkingDirectory start `flash serve` (the Linux build), which answers /health and a chat
completion; --uninstall unloads and removes it. launchd itself, macOS and the Mac build are
not tested (no Mac here).

Usage: apple_silicon_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 when one failed, 77 (skipped) when the model variable
is not set."""
import json
import os
import plistlib
import subprocess
import sys
import tempfile
import time
import urllib.request

from recipe_checks import (finish, free_port, keep_or_remove, recipe_args, record, stop_all, tail,
                           wait_healthy)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECIPE = os.path.join(ROOT, "deploy", "apple-silicon")
LABEL = "org.flash.serve"

# Stand-ins for the macOS tools: each appends its arguments to $RECORD as one JSON line.
PLUTIL = """#!/usr/bin/env python3
import json, os, plistlib, sys
with open(os.environ["RECORD"], "a") as f:
    f.write(json.dumps(["plutil"] + sys.argv[1:]) + "\\n")
if sys.argv[1:2] == ["-lint"]:
    try:
        with open(sys.argv[2], "rb") as f:
            plistlib.load(f)
    except Exception as e:
        print(f"{sys.argv[2]}: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"{sys.argv[2]}: OK")
"""
LAUNCHCTL = """#!/bin/sh
python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' launchctl "$@" >> "$RECORD"
"""


def install(home, bin_dir, record_file, *args):
    env = dict(os.environ, HOME=home, PATH=f"{bin_dir}:{os.environ['PATH']}", RECORD=record_file)
    return subprocess.run([os.path.join(RECIPE, "install-agent.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def calls(record_file, tool):
    if not os.path.exists(record_file):
        return []
    with open(record_file) as f:
        return [c[1:] for c in map(json.loads, f) if c[0] == tool]


def main():
    flash, model = recipe_args(__doc__)
    if not flash:
        return 77
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="flash-apple-")
    procs = []
    try:
        home = os.path.join(tmp, "Users", "Jane Doe")
        bin_dir = os.path.join(tmp, "bin")
        os.makedirs(home)
        os.makedirs(bin_dir)
        for name, text in (("plutil", PLUTIL), ("launchctl", LAUNCHCTL)):
            with open(os.path.join(bin_dir, name), "w") as f:
                f.write(text)
            os.chmod(os.path.join(bin_dir, name), 0o755)
        record_file = os.path.join(tmp, "calls.jsonl")
        plist = os.path.join(home, "Library", "LaunchAgents", f"{LABEL}.plist")

        p = install(home, bin_dir, record_file, flash)
        record("install-agent.sh refuses without the model, naming where it goes",
               p.returncode == 1 and "Application Support/flash/models/model.gguf" in p.stderr
               and not os.path.exists(plist), p.stderr)
        models = os.path.join(home, "Library", "Application Support", "flash", "models")
        os.makedirs(models)
        os.symlink(model, os.path.join(models, "model.gguf"))
        p = install(home, bin_dir, record_file, os.path.join(tmp, "no-such-flash"))
        record("install-agent.sh refuses a missing binary", p.returncode == 1 and
               "no flash binary" in p.stderr, p.stderr)

        p = install(home, bin_dir, record_file, flash)
        record("install-agent.sh installs the agent", p.returncode == 0 and os.path.isfile(plist),
               p.stdout + p.stderr)
        if not os.path.isfile(plist):
            return finish(started)
        with open(plist, "rb") as f:
            raw = f.read()
        agent = plistlib.loads(raw)
        uid = str(os.getuid())
        record("the plist passed plutil -lint before it was installed",
               any(c[0] == "-lint" for c in calls(record_file, "plutil")))
        record("launchctl: bootout the old agent, then bootstrap the new one in the GUI domain",
               calls(record_file, "launchctl")[-2:] ==
               [["bootout", f"gui/{uid}/{LABEL}"], ["bootstrap", f"gui/{uid}", plist]],
               str(calls(record_file, "launchctl")))
        argv = agent["ProgramArguments"]
        record("no placeholder left; the binary and the home folder filled in",
               b"@HOME@" not in raw and b"@FLASH@" not in raw and argv[0] == flash
               and agent["WorkingDirectory"].startswith(home), str(argv))
        record("starts at login, restarts after an error exit only",
               agent.get("Label") == LABEL and agent.get("RunAtLoad") is True
               and agent.get("KeepAlive") == {"SuccessfulExit": False})
        log_dir = os.path.dirname(agent["StandardErrorPath"])
        record("the log folder exists (launchd does not create it)",
               os.path.isdir(log_dir) and log_dir.startswith(home), log_dir)
        record("listens on this Mac only",
               argv[argv.index("--host") + 1] == "127.0.0.1")

        # The agent's own argument vector, environment and working folder; the port swapped.
        port = free_port()
        argv = list(argv)
        argv[argv.index("--port") + 1] = str(port)
        os.makedirs(agent["WorkingDirectory"], exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLASH_")}
        env.update(agent.get("EnvironmentVariables", {}))
        log = os.path.join(tmp, "serve.log")
        serve = subprocess.Popen(argv, env=env, cwd=agent["WorkingDirectory"],
                                 stdout=open(log, "w"), stderr=subprocess.STDOUT)
        procs.append(serve)
        if not wait_healthy(port, serve, 60):
            record("flash serve starts with the agent's arguments", False, tail(log))
        else:
            record("flash serve starts with the agent's arguments", True)
            body = json.dumps({"model": "flash", "max_tokens": 12, "messages": [
                {"role": "user", "content": "What is the capital of France?"}]}).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body,
                                         {"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as r:
                reply = json.loads(r.read())["choices"][0]["message"]["content"]
            record("a chat completion answers (no key on loopback)", bool(reply.strip()),
                   repr(reply))
        stop_all(procs)

        p = install(home, bin_dir, record_file, "--uninstall")
        record("--uninstall unloads and removes the agent",
               p.returncode == 0 and not os.path.exists(plist)
               and calls(record_file, "launchctl")[-1] == ["bootout", f"gui/{uid}/{LABEL}"],
               p.stderr)
    finally:
        stop_all(procs)
        keep_or_remove(tmp)
    return finish(started)


if __name__ == "__main__":
    sys.exit(main())
