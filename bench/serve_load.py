#!/usr/bin/env python3
"""Load benchmark for `flash serve` (not a test): N concurrent streaming chat clients loop
for a fixed time with varied short prompts; it records errors, time to first token, the
gaps between streamed tokens and the tokens generated, and samples the server's resident
memory (VmRSS) every second. Prints a Markdown section for docs/BENCHMARKS.md.

    bench/serve_load.py --flash build/release/bin/flash --model SmolLM2.gguf \\
        --clients 16 --duration 180 --max-tokens 64 --slots 4 [--json out.json]

Memory counts as flat when its last sample is within 5% of the largest sample in the first
minute (the first third of the run when it is shorter than three minutes)."""
import argparse
import http.client
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "serve"))
from server_harness import Server  # noqa: E402

SYSTEM = "You are a concise assistant. Answer in one or two sentences."
TOPICS = ["the Moon", "volcanoes", "honey bees", "the Roman Empire", "black holes", "tea",
          "octopuses", "the Sahara", "bicycles", "rainbows", "glaciers", "penguins",
          "the printing press", "coral reefs", "lightning", "chess", "the Nile", "owls",
          "electric cars", "bread"]
FORMS = ["Tell me a fact about {}.", "Why is {} interesting?", "Explain {} to a child.",
         "Write a haiku about {}.", "Give three words that describe {}.",
         "What is the history of {}?", "List two surprising things about {}."]


def prompt(rng):
    text = rng.choice(FORMS).format(rng.choice(TOPICS))
    msgs = [{"role": "user", "content": text}]
    if rng.random() < 0.5:  # a shared system prompt: the prefix cache has something to reuse
        msgs.insert(0, {"role": "system", "content": SYSTEM})
    return msgs


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.ok = 0
        self.errors = {}
        self.ttft = []
        self.gaps = []
        self.tokens = 0
        self.chunks = 0
        self.latency = []

    def error(self, kind):
        with self.lock:
            self.requests += 1
            self.errors[kind] = self.errors.get(kind, 0) + 1


def stream_once(host, port, body, key, timeout):
    """One streaming request: (ttft seconds, gaps, completion tokens, content chunks, total s).
    Raises RuntimeError(kind) for anything but a clean stream."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        start = time.perf_counter()
        conn.request("POST", "/v1/chat/completions", body=body, headers=headers)
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            raise RuntimeError(f"http {resp.status}")
        ttft, last, gaps, usage, chunks, done = None, None, [], None, 0, False
        while True:
            line = resp.readline()
            if not line:
                break
            line = line.strip()
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                done = True
                break
            ev = json.loads(data)
            if "error" in ev:
                raise RuntimeError("stream error: " + str(ev["error"].get("type")))
            if ev.get("usage"):
                usage = ev["usage"]
            for ch in ev.get("choices", []):
                if ch.get("delta", {}).get("content"):
                    now = time.perf_counter()
                    chunks += 1
                    if ttft is None:
                        ttft = now - start
                    else:
                        gaps.append(now - last)
                    last = now
        total = time.perf_counter() - start
        if not done:
            raise RuntimeError("stream ended without [DONE]")
        if usage is None:
            raise RuntimeError("no usage chunk")
        return ttft, gaps, usage["completion_tokens"], chunks, total
    except (OSError, http.client.HTTPException) as e:
        raise RuntimeError(type(e).__name__) from None
    except ValueError:
        raise RuntimeError("bad event JSON") from None
    finally:
        conn.close()


def client_loop(i, args, srv, stats, stop_at):
    rng = random.Random(1000 + i)
    while time.monotonic() < stop_at:
        body = json.dumps({
            "model": "bench", "messages": prompt(rng), "max_tokens": args.max_tokens,
            "temperature": 0.7, "seed": rng.randrange(1 << 30), "stream": True,
            "stream_options": {"include_usage": True}}).encode()
        try:
            ttft, gaps, tokens, chunks, total = stream_once(srv.connect_host, srv.port, body,
                                                            args.api_key, args.request_timeout)
        except RuntimeError as e:
            stats.error(str(e))
            time.sleep(0.05)
            continue
        with stats.lock:
            stats.requests += 1
            stats.ok += 1
            stats.tokens += tokens
            stats.chunks += chunks
            stats.latency.append(total)
            if ttft is not None:
                stats.ttft.append(ttft)
            stats.gaps.extend(gaps)


def sampler(pid, samples, t0, stop):
    while not stop.is_set():
        kib = rss_kib(pid)
        if kib is not None:
            samples.append((time.monotonic() - t0, kib))
        stop.wait(1.0)


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flash", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=180, help="seconds of load")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--slots", type=int, default=4)
    ap.add_argument("--queue", type=int, default=None, help="--queue for the server")
    ap.add_argument("--threads", "-t", type=int, default=None, help="-t for the server")
    ap.add_argument("--ctx", "-c", type=int, default=None, help="-c for the server")
    ap.add_argument("--api-key", default=None)
    ap.add_argument("--server-arg", action="append", default=[],
                    help="another argument for flash serve (repeatable)")
    ap.add_argument("--request-timeout", type=float, default=300)
    ap.add_argument("--json", dest="json_out", default=None, help="also write the figures here")
    args = ap.parse_args()

    server_args = ["--slots", str(args.slots)]
    if args.queue is not None:
        server_args += ["--queue", str(args.queue)]
    if args.threads is not None:
        server_args += ["-t", str(args.threads)]
    if args.ctx is not None:
        server_args += ["-c", str(args.ctx)]
    if args.api_key:
        server_args += ["--api-key", args.api_key]
    server_args += args.server_arg

    stats = Stats()
    samples = []
    with Server(args.flash, args.model, server_args) as srv:
        stop = threading.Event()
        t0 = time.monotonic()
        samp = threading.Thread(target=sampler, args=(srv.pid, samples, t0, stop), daemon=True)
        samp.start()
        # One warm-up request so the first client does not measure page faults alone.
        try:
            stream_once(srv.connect_host, srv.port, json.dumps({
                "model": "bench", "messages": [{"role": "user", "content": "Hi"}],
                "max_tokens": 4, "stream": True,
                "stream_options": {"include_usage": True}}).encode(), args.api_key, 120)
        except RuntimeError as e:
            print(f"warm-up request failed: {e}\n{srv.stderr()}", file=sys.stderr)
            return 1
        start = time.monotonic()
        stop_at = start + args.duration
        threads = [threading.Thread(target=client_loop, args=(i, args, srv, stats, stop_at),
                                    daemon=True) for i in range(args.clients)]
        for th in threads:
            th.start()
        last_print = start
        while any(th.is_alive() for th in threads):
            time.sleep(0.5)
            now = time.monotonic()
            if now - last_print >= 30:
                last_print = now
                with stats.lock:
                    print(f"  {now - start:5.0f} s: {stats.requests} requests, "
                          f"{sum(stats.errors.values())} errors, {stats.tokens} tokens, "
                          f"RSS {samples[-1][1] / 1024 if samples else 0:.0f} MiB",
                          file=sys.stderr, flush=True)
            if not srv.alive():
                print(f"flash serve exited with {srv.proc.returncode} during the run:\n"
                      f"{srv.stderr()}", file=sys.stderr)
                break
        elapsed = time.monotonic() - start
        time.sleep(1.5)  # one more memory sample once the load has stopped
        stop.set()
        samp.join()
        alive = srv.alive()
        metrics = {}
        if alive:
            try:
                metrics = {k: v for k, v in srv.metrics(
                    headers={"Authorization": f"Bearer {args.api_key}"} if args.api_key else None)
                    .items() if k.startswith("flash_")}
            except Exception as e:  # noqa: BLE001
                print(f"/metrics: {e}", file=sys.stderr)
        version = ""
        try:
            version = subprocess.run([args.flash, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass

    rss = [kib for _, kib in samples]
    window = 60.0 if args.duration >= 180 else args.duration / 3
    first = [kib for t, kib in samples if t <= window] or rss[:1]
    first_max = max(first) if first else 0
    end_rss = rss[-1] if rss else 0
    growth = (end_rss - first_max) / first_max if first_max else float("nan")
    flat = growth < 0.05
    errors = sum(stats.errors.values())
    ms = lambda v: v * 1000.0  # noqa: E731
    fig = {
        "model": os.path.basename(args.model),
        "flash": version,
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "clients": args.clients,
        "slots": args.slots,
        "server_args": server_args,
        "duration_s": round(elapsed, 1),
        "max_tokens": args.max_tokens,
        "requests": stats.requests,
        "ok": stats.ok,
        "errors": errors,
        "error_kinds": stats.errors,
        "generated_tokens": stats.tokens,
        "throughput_tok_s": stats.tokens / elapsed if elapsed else 0.0,
        "requests_per_s": stats.ok / elapsed if elapsed else 0.0,
        "ttft_ms": {p: ms(percentile(stats.ttft, p)) for p in (50, 90, 99)},
        "inter_token_ms": {p: ms(percentile(stats.gaps, p)) for p in (50, 90, 99)},
        "request_s": {p: percentile(stats.latency, p) for p in (50, 90, 99)},
        "rss_mib": {"start": rss[0] / 1024 if rss else 0, "max": max(rss) / 1024 if rss else 0,
                    "end": end_rss / 1024, "first_window_max": first_max / 1024,
                    "first_window_s": window},
        "memory_growth": growth,
        "memory_flat": flat,
        "server_alive": alive,
        "metrics": {k: [[lab, v] for lab, v in vals] for k, vals in metrics.items()},
        "rss_samples": samples,
    }

    p = lambda d: " / ".join(f"{d[k]:.1f}" for k in (50, 90, 99))  # noqa: E731
    kinds = ", ".join(f"{k}: {v}" for k, v in sorted(stats.errors.items())) or "none"
    print(f"""
### `flash serve` under load: {args.clients} streaming clients, {args.slots} slots

{fig['model']}, `flash serve {' '.join(server_args)}`, {fig['cpu']} ({fig['cores']} cores),
{elapsed:.0f} s of load, `max_tokens` {args.max_tokens}, temperature 0.7, varied short prompts
(half with a shared system prompt). Measured by `bench/serve_load.py` over HTTP on the same
machine (client threads share the CPU with the server).

| Figure | Value |
|---|---|
| Requests completed | {stats.ok} |
| Errors | {errors} ({kinds}) |
| Generated tokens | {stats.tokens} |
| Throughput, all clients | {fig['throughput_tok_s']:.1f} tokens/s |
| Requests per second | {fig['requests_per_s']:.2f} |
| Time to first token p50 / p90 / p99 | {p(fig['ttft_ms'])} ms |
| Inter-token latency p50 / p90 / p99 | {p(fig['inter_token_ms'])} ms |
| Request time p50 / p90 / p99 | {' / '.join(f"{fig['request_s'][k]:.2f}" for k in (50, 90, 99))} s |
| RSS start / max / end | {fig['rss_mib']['start']:.0f} / {fig['rss_mib']['max']:.0f} / {fig['rss_mib']['end']:.0f} MiB |
| Memory flat (end within 5% of the first {window:.0f} s max) | {'yes' if flat else 'no'} ({growth * 100:+.1f}%) |
| Server alive at the end | {'yes' if alive else 'no'} |
""")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(fig, f, indent=1)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
