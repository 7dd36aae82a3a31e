#!/usr/bin/env python3
"""The colocated recipe (deploy/colocated/) end to end, with the real programs: the systemd unit
passes `systemd-analyze verify`; `flash serve` runs with the unit's exact ExecStart arguments and
Environment (binary, model, port and state directory swapped for the test's); nginx runs the
recipe's site file (ports and certificate rendered) with a self-signed certificate, and through
TLS answers 401 without the key, a chat completion with it, a streamed one (SSE, [DONE]), 413 for
a body over client_max_body_size, 403 for /metrics, 429 past the rate limit, 301 on plain HTTP;
promtool checks and unit-tests the alert rules and the scrape config; a real Prometheus scrapes
the server with the recipe's config (bearer key), loads the rules and answers every query of
the Grafana dashboard.

Usage: colocated_test.py --flash BIN --model-env FLASH_SMOLLM2
Exit status 0 when every check passed, 1 when one failed, 77 (skipped) when nginx, promtool or
openssl is not installed or the model variable is not set. Prints "N passed, N failed" last."""
import http.client
import json
import os
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from recipe_checks import (finish, free_port, keep_or_remove, recipe_args, record, stop_all, tail,
                           unit_service_section, verify_unit, wait_healthy, wait_port)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECIPE = os.path.join(ROOT, "deploy", "colocated")
STATE = "/var/lib/flash"
KEY = "test-key"
HOSTNAME = "flash.example.org"

# ---- the unit file

def serve_command(unit, flash, model, port, state):
    """The unit's ExecStart with the binary, -m, --port and the state directory swapped."""
    (exec_start,) = unit["ExecStart"]
    argv = shlex.split(exec_start)
    if argv[0] != "/usr/local/bin/flash" or argv[1] != "serve":
        raise ValueError(f"ExecStart does not run /usr/local/bin/flash serve: {exec_start}")
    out = [flash]
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in ("-m", "--model"):
            out += [a, model]
            i += 2
            continue
        if a == "--port":
            out += [a, str(port)]
            i += 2
            continue
        out.append(a.replace(STATE, state))
        i += 1
    return out


def unit_environment(unit, state):
    env = {}
    for value in unit.get("Environment", []):
        for assignment in shlex.split(value):
            k, _, v = assignment.partition("=")
            env[k] = v.replace(STATE, state)
    return env


def check_systemd_analyze(flash, tmp):
    verify_unit(os.path.join(RECIPE, "flash.service"), {"/usr/local/bin/flash": flash}, tmp)


# ---- nginx

def render_nginx(tmp, https_port, http_port, flash_port, cert, key):
    with open(os.path.join(RECIPE, "nginx.conf")) as f:
        site = f.read()
    site = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl", site)
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)  # the test listens on loopback only
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    site = site.replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{flash_port};")
    for needle in (f"{https_port} ssl", f"ssl_certificate {cert};", f"127.0.0.1:{flash_port};"):
        if needle not in site:
            raise ValueError(f"nginx.conf: could not render {needle!r} (the file's layout changed)")
    with open(os.path.join(tmp, "site.conf"), "w") as f:
        f.write(site)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/logs/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
    conf = os.path.join(tmp, "nginx-main.conf")
    with open(conf, "w") as f:
        f.write(main)
    return conf


class Tls:
    def __init__(self, port, cafile):
        self.port = port
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.ctx.check_hostname = False  # connecting to 127.0.0.1; the chain is still verified

    def request(self, method, path, body=None, headers=None, read=True):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=120)
        hdrs = {"Host": HOSTNAME}
        hdrs.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        if not read:
            return conn, resp
        data = resp.read()
        conn.close()
        return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), data


def check_through_nginx(tls, http_port):
    chat = {"model": "m", "messages": [{"role": "user", "content": "Say hello."}],
            "max_tokens": 12}
    auth = {"Authorization": f"Bearer {KEY}"}

    status, _, body = tls.request("POST", "/v1/chat/completions", chat)
    record("no key: 401 from flash through nginx", status == 401 and b"invalid_api_key" in body,
           f"status {status}: {body[:200]!r}")

    status, _, body = tls.request("POST", "/v1/chat/completions", chat,
                                  {"Authorization": "Bearer wrong-key"})
    record("wrong key: 401", status == 401, f"status {status}: {body[:200]!r}")

    status, _, body = tls.request("POST", "/v1/chat/completions", chat, auth)
    ok, detail = False, f"status {status}: {body[:300]!r}"
    if status == 200:
        try:
            doc = json.loads(body)
            content = doc["choices"][0]["message"]["content"]
            ok = isinstance(content, str) and content != "" and doc["object"] == "chat.completion"
            detail = f"content {content!r}"
        except (ValueError, KeyError, IndexError, TypeError) as e:
            detail = f"{e}: {body[:300]!r}"
    record("chat completion with the key: JSON with choices", ok, detail)

    conn, resp = tls.request("POST", "/v1/chat/completions", dict(chat, stream=True), auth,
                             read=False)
    ctype = resp.getheader("Content-Type", "")
    events, pieces, first_at, start = [], [], None, time.time()
    for raw in resp:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        if first_at is None:
            first_at = time.time() - start
        data = line[len("data:"):].strip()
        events.append(data)
        if data == "[DONE]":
            break
        try:
            for ch in json.loads(data).get("choices", []):
                pieces.append(ch.get("delta", {}).get("content") or "")
        except ValueError:
            pass
    conn.close()
    record("streaming through nginx: text/event-stream, data: lines, [DONE]",
           resp.status == 200 and "text/event-stream" in ctype and len(events) >= 3
           and events[-1] == "[DONE]" and "".join(pieces) != "",
           f"status {resp.status}, type {ctype!r}, {len(events)} events, last "
           f"{events[-1] if events else None!r}")

    big = b'{"model":"m","messages":[{"role":"user","content":"' + b"x" * (2 << 20) + b'"}]}'
    status, headers, body = tls.request("POST", "/v1/chat/completions", big,
                                        dict(auth, **{"Content-Type": "application/json"}))
    record("2 MiB body: 413 from nginx (client_max_body_size), not from flash",
           status == 413 and b"<html>" in body.lower() and b"error" not in body[:20],
           f"status {status}: {body[:200]!r}")

    status, _, body = tls.request("GET", "/metrics", headers=auth)
    record("/metrics is not served to the outside: 403", status == 403, f"status {status}")

    status, _, body = tls.request("GET", "/health")
    record("/health through nginx without a key: 200", status == 200, f"status {status}")

    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/v1/models", headers={"Host": HOSTNAME})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    record("plain HTTP: 301 to https", resp.status == 301 and
           resp.getheader("Location", "").startswith(f"https://{HOSTNAME}/"),
           f"status {resp.status}, Location {resp.getheader('Location')!r}")

    statuses, limited = [], b""
    for _ in range(40):  # burst 20 at 5 r/s: well past it at once
        s, _, b = tls.request("GET", "/v1/models", headers=auth)
        statuses.append(s)
        if s == 429:
            limited = b
    record("rate limit: 429 from nginx past the burst, 200 before it",
           statuses[0] == 200 and 429 in statuses and b"<html>" in limited.lower(),
           f"statuses {statuses}")


# ---- Prometheus

def check_promtool(tmp, flash_port):
    promtool = shutil.which("promtool")
    for args, name in (
            (["check", "rules", "alerts.yml"], "promtool check rules alerts.yml"),
            (["test", "rules", "alerts_test.yml"], "promtool test rules alerts_test.yml")):
        p = subprocess.run([promtool] + args, cwd=RECIPE, capture_output=True, text=True,
                           timeout=60)
        record(name, p.returncode == 0, (p.stdout + p.stderr)[-800:])
    # The config names the key file the host keeps in /etc/prometheus; point it at the test's.
    keyfile = os.path.join(tmp, "flash_api_key")
    with open(keyfile, "w") as f:
        f.write(KEY)
    with open(os.path.join(RECIPE, "prometheus.yml")) as f:
        text = f.read()
    text = text.replace("/etc/prometheus/flash_api_key", keyfile)
    text = text.replace('"127.0.0.1:8080"', f'"127.0.0.1:{flash_port}"')
    text = re.sub(r"scrape_interval: \S+", "scrape_interval: 1s", text)
    text = re.sub(r"evaluation_interval: \S+", "evaluation_interval: 1s", text)
    promdir = os.path.join(tmp, "prometheus")
    os.makedirs(promdir)
    shutil.copy(os.path.join(RECIPE, "alerts.yml"), promdir)
    conf = os.path.join(promdir, "prometheus.yml")
    with open(conf, "w") as f:
        f.write(text)
    p = subprocess.run([promtool, "check", "config", conf], capture_output=True, text=True,
                       timeout=60)
    record("promtool check config prometheus.yml", p.returncode == 0,
           (p.stdout + p.stderr)[-800:])
    return conf


def prom_query(port, path, **params):
    url = f"http://127.0.0.1:{port}{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def check_live_scrape(conf, tmp):
    prometheus = shutil.which("prometheus")
    if not prometheus:
        print("SKIP live scrape: prometheus is not installed", flush=True)
        return
    port = free_port()
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    proc = subprocess.Popen([prometheus, f"--config.file={conf}",
                             f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        up = ready = None
        if wait_port(port, proc, 30):
            end = time.time() + 30
            while time.time() < end:
                try:
                    up = prom_query(port, "/api/v1/query", query='up{job="flash"}')
                    ready = prom_query(port, "/api/v1/query", query='flash_ready{job="flash"}')
                    if up["data"]["result"] and ready["data"]["result"]:
                        break
                except (OSError, ValueError):
                    pass
                time.sleep(0.5)
        up_v = [r["value"][1] for r in (up or {}).get("data", {}).get("result", [])]
        ready_v = [r["value"][1] for r in (ready or {}).get("data", {}).get("result", [])]
        record("Prometheus scrapes flash with the bearer key: up == 1, flash_ready == 1",
               up_v == ["1"] and ready_v == ["1"], f"up {up_v}, flash_ready {ready_v}")
        try:
            rules = prom_query(port, "/api/v1/rules")
            names = sorted(r["name"] for g in rules["data"]["groups"] for r in g["rules"]
                           if r.get("health") != "err")
        except (OSError, ValueError, KeyError) as e:
            names = [f"error: {e}"]
        record("Prometheus loads the three alert rules",
               names == ["FlashDown", "FlashQueueFull", "FlashSlowRequests"], f"{names}")
        with open(os.path.join(RECIPE, "grafana-dashboard.json")) as f:
            dash = json.load(f)
        # rate() needs two scrapes (1 s apart here): ask again until every query has series.
        end = time.time() + 15
        while True:
            bad = []
            for panel in dash["panels"]:
                for target in panel["targets"]:
                    expr = target["expr"].replace("$instance", ".*")
                    try:
                        r = prom_query(port, "/api/v1/query", query=expr)
                        if r.get("status") != "success" or not r["data"]["result"]:
                            bad.append(f"{panel['title']}: {expr}: {r.get('status')}, no series")
                    except (OSError, ValueError, KeyError) as e:
                        bad.append(f"{panel['title']}: {expr}: {e}")
            if not bad or time.time() > end:
                break
            time.sleep(1)
        record("every Grafana panel query runs on the scraped metrics and returns series",
               not bad, "; ".join(bad)[:1200])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main():
    flash, model = recipe_args(__doc__)
    if not flash:
        return 77
    for tool in ("nginx", "promtool", "openssl"):
        if not shutil.which(tool):
            print(f"{tool} is not installed (scripts/install-deps.sh installs it); skipping")
            return 77
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="flash-colocated-")
    procs = []
    try:
        check_systemd_analyze(flash, tmp)

        unit = unit_service_section(os.path.join(RECIPE, "flash.service"))
        record("unit: hardening keys present",
               all(unit.get(k) == [v] for k, v in (
                   ("DynamicUser", "yes"), ("StateDirectory", "flash"),
                   ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                   ("NoNewPrivileges", "yes"), ("Restart", "on-failure")))
               and unit.get("EnvironmentFile") == ["-/etc/flash/flash.env"],
               f"{ {k: unit.get(k) for k in ('DynamicUser', 'StateDirectory', 'ProtectSystem')} }")

        state = os.path.join(tmp, "state")
        os.makedirs(os.path.join(state, "models"))
        flash_port = free_port()
        cmd = serve_command(unit, flash, model, flash_port, state)
        env = dict(os.environ)
        env.pop("FLASH_API_KEY", None)
        env.update(unit_environment(unit, state))
        env["FLASH_API_KEY"] = KEY  # what /etc/flash/flash.env holds on the host
        print("flash:", " ".join(shlex.quote(c) for c in cmd), flush=True)
        serve_log = open(os.path.join(tmp, "serve.log"), "w")
        serve = subprocess.Popen(cmd, env=env, stdout=serve_log, stderr=subprocess.STDOUT,
                                 cwd=state)
        procs.append(serve)
        if not wait_healthy(flash_port, serve, 60):
            serve_log.flush()
            record("flash serve starts under the unit's ExecStart", False,
                   tail(os.path.join(tmp, "serve.log")))
            return finish(started)
        record("flash serve starts under the unit's ExecStart and answers /health", True)

        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={HOSTNAME}",
                            "-addext", f"subjectAltName=DNS:{HOSTNAME},IP:127.0.0.1"],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            record("openssl: self-signed certificate", False, p.stderr[-500:])
            return finish(started)
        https_port, http_port = free_port(), free_port()
        conf = render_nginx(tmp, https_port, http_port, flash_port, cert, key)
        p = subprocess.run(["nginx", "-t", "-p", tmp, "-c", conf], capture_output=True, text=True,
                           timeout=30)
        record("nginx -t accepts the rendered site file", p.returncode == 0, p.stderr[-800:])
        nginx = subprocess.Popen(["nginx", "-p", tmp, "-c", conf, "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        procs.append(nginx)
        if not wait_port(https_port, nginx, 20):
            err = nginx.stderr.read() if nginx.poll() is not None else "(still starting)"
            record("nginx starts", False, err[-800:])
        else:
            check_through_nginx(Tls(https_port, cert), http_port)

        conf = check_promtool(tmp, flash_port)
        check_live_scrape(conf, tmp)
        if serve.poll() is not None:
            record("flash serve still running at the end", False, f"exit {serve.returncode}")
    finally:
        stop_all(procs)
        keep_or_remove(tmp)
    return finish(started)


if __name__ == "__main__":
    sys.exit(main())
