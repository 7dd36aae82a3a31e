"""What the deploy/ recipe tests share: a list of named checks with PASS/FAIL lines, free ports,
waiting for a started server, and stopping what a test started."""
import argparse
import os
import shutil
import socket
import subprocess
import time
import urllib.request

results = []  # (name, ok, detail)


def recipe_args(doc):
    """--flash BIN --model-env VAR parsed: (absolute binary path, model file), or (None, None)
    after printing why when VAR does not name a file (the caller then skips with 77)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--flash", required=True)
    ap.add_argument("--model-env", required=True)
    args = ap.parse_args()
    model = os.environ.get(args.model_env, "")
    if not model or not os.path.isfile(model):
        print(f"{args.model_env} is not set to the pulled model; skipping")
        return None, None
    return os.path.abspath(args.flash), model


def record(name, ok, detail=""):
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail and not ok else ''}",
          flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout):
    """True once something listens on the port; False when proc exits or time runs out."""
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def wait_healthy(port, proc, timeout, path="/health"):
    """True once GET path answers 200 (flash answers 503 while the model loads)."""
    if not wait_port(port, proc, timeout):
        return False
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def tail(path, chars=1500):
    with open(path, errors="replace") as f:
        return f.read()[-chars:]


def stop_all(procs):
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def finish(started):
    """Prints the failures and the totals; the exit status: 1 when a check failed, else 0."""
    failed = [r for r in results if not r[1]]
    for name, _, detail in failed:
        print(f"failed: {name}: {detail}")
    print(f"wall time {time.time() - started:.1f} s")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def keep_or_remove(tmp):
    if os.environ.get("FLASH_KEEP_TMP"):
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- systemd units

def unit_service_section(path):
    """The [Service] keys of a unit file: {key: [values in order]}."""
    keys, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
                continue
            if section == "Service" and "=" in line:
                k, _, v = line.partition("=")
                keys.setdefault(k.strip(), []).append(v.strip())
    return keys


def verify_unit(path, replacements, tmp):
    """`systemd-analyze verify` on a copy of the unit with paths replaced (binaries that exist
    here); a complaint about the unit, even a warning with exit status 0, fails the check."""
    tool = shutil.which("systemd-analyze")
    name = os.path.basename(path)
    if not tool:
        print(f"SKIP systemd-analyze verify {name}: systemd-analyze is not installed", flush=True)
        return
    with open(path) as f:
        text = f.read()
    for old, new in replacements.items():
        text = text.replace(old, new)
    copy = os.path.join(tmp, name)
    with open(copy, "w") as f:
        f.write(text)
    p = subprocess.run([tool, "verify", copy], capture_output=True, text=True, timeout=60)
    err = p.stderr.strip()
    if p.returncode != 0 and name not in err:
        # Not a complaint about the unit: systemd cannot run its checks in this container.
        print(f"SKIP systemd-analyze verify {name}: cannot run here (exit {p.returncode}): "
              f"{err[:300]}", flush=True)
        return
    complaints = [ln for ln in err.splitlines() if name in ln]
    record(f"systemd-analyze verify {name}", p.returncode == 0 and not complaints,
           f"exit {p.returncode}: {err[:600]}")
