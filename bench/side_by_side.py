#!/usr/bin/env python3
"""flash and llama.cpp side by side: pp and tg tokens/s on the same GGUF files, same threads.

Runs the engines in turns (llama-bench, flash exact, flash fast; again for every round) so a
noisy shared machine slows all of them alike, and reports medians of the rounds, the ratios
flash / llama.cpp, the fraction of the memory-bandwidth roofline generation reaches (weight
bytes read per token x tokens/s / --bandwidth), and the peak resident memory of each run.

llama-bench is not part of flash: build it yourself from llama.cpp's source and pass its path.

    python3 bench/side_by_side.py --flash build/release/bin/flash \\
        --llama-bench ~/llama.cpp/build/bin/llama-bench -m smollm2-f16.gguf -m q06-q4_k_m.gguf \\
        --threads 2 --rounds 3 --bandwidth 28 --json docs/results/side_by_side.json
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def run_timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, peak RSS in bytes or None)."""
    timed = ["/usr/bin/time", "-f", "MAXRSS_KB=%M"] + cmd if os.path.exists("/usr/bin/time") else cmd
    proc = subprocess.run(timed, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"side_by_side: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    rss = None
    for line in proc.stderr.splitlines():
        if line.startswith("MAXRSS_KB="):
            rss = int(line.split("=", 1)[1]) * 1024
    return proc.stdout, rss


def llama_round(args, model):
    out, rss = run_timed([args.llama_bench, "-m", model, "-t", str(args.threads), "-p", str(args.prompt),
                          "-n", str(args.gen), "-d", str(args.depth), "-r", "1", "-o", "json"])
    pp = tg = None
    for rec in json.loads(out):
        if rec.get("n_prompt", 0) > 0 and rec.get("n_gen", 0) == 0:
            pp = rec["avg_ts"]
        elif rec.get("n_gen", 0) > 0 and rec.get("n_prompt", 0) == 0:
            tg = rec["avg_ts"]
    return {"pp": pp, "tg": tg, "rss": rss}


def flash_round(args, model, precision):
    out, rss = run_timed([args.flash, "bench", "-m", model, "-t", str(args.threads), "-p", str(args.prompt),
                          "-n", str(args.gen), "-d", str(args.depth), "-b", str(args.prompt), "-r", "1",
                          "-c", str(max(4096, args.depth + args.prompt + args.gen)), "--precision", precision,
                          "--json"] + (["--repack"] if precision == "fast" and args.repack else []))
    rec = json.loads(out)
    return {"pp": rec["pp"]["tps_mean"], "tg": rec["tg"]["tps_mean"], "rss": rss,
            "weights_bytes": rec["weights_bytes"], "kv_cache_bytes": rec.get("kv_cache_bytes")}


def median(rounds, key):
    values = [r[key] for r in rounds if r.get(key) is not None]
    return statistics.median(values) if values else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flash", required=True, help="the flash binary")
    ap.add_argument("--llama-bench", required=True, help="a llama-bench binary you built")
    ap.add_argument("-m", "--model", action="append", required=True, help="GGUF file (repeat for more)")
    ap.add_argument("-t", "--threads", type=int, default=2)
    ap.add_argument("-p", "--prompt", type=int, default=512, help="prompt tokens (pp test)")
    ap.add_argument("-n", "--gen", type=int, default=128, help="generated tokens (tg test)")
    ap.add_argument("-d", "--depth", type=int, default=0,
                    help="tokens cached before each test (llama-bench's -d): long-context speed")
    ap.add_argument("--rounds", type=int, default=3, help="turns per engine; medians are reported")
    ap.add_argument("--bandwidth", type=float, default=0.0,
                    help="measured memory read bandwidth in GB/s, for the roofline column")
    ap.add_argument("--repack", action="store_true",
                    help="run flash fast with --repack (weights packed once at load; more memory)")
    ap.add_argument("--json", help="also write every round's figures here")
    args = ap.parse_args()
    for path in [args.flash, args.llama_bench] + args.model:
        if not os.path.exists(path):
            sys.exit(f"side_by_side: {path}: no such file")

    results = []
    for model in args.model:
        rounds = {"llama.cpp": [], "exact": [], "fast": []}
        for i in range(args.rounds):
            print(f"[{os.path.basename(model)}] round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
            rounds["llama.cpp"].append(llama_round(args, model))
            rounds["exact"].append(flash_round(args, model, "exact"))
            rounds["fast"].append(flash_round(args, model, "fast"))
        results.append({"model": model, "rounds": rounds})

    at = f" @ d{args.depth}" if args.depth else ""
    print(f"| model | llama.cpp pp{args.prompt}{at} | flash exact / fast | ratio | llama.cpp tg{args.gen}{at} | "
          "flash exact / fast | ratio | roofline llama.cpp / exact / fast | peak RSS MiB llama.cpp / flash |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ll, ex, fa = (r["rounds"][k] for k in ("llama.cpp", "exact", "fast"))
        lpp, epp, fpp = median(ll, "pp"), median(ex, "pp"), median(fa, "pp")
        ltg, etg, ftg = median(ll, "tg"), median(ex, "tg"), median(fa, "tg")
        wbytes = ex[0]["weights_bytes"]
        roof = "–"
        if args.bandwidth > 0:
            roof = " / ".join(f"{100 * wbytes * t / (args.bandwidth * 1e9):.0f}%" for t in (ltg, etg, ftg))
        rss = f"{median(ll, 'rss') / 2**20:.0f} / {median(ex, 'rss') / 2**20:.0f}" if median(ll, "rss") else "–"
        print(f"| {os.path.basename(r['model'])} | {lpp:.1f} | {epp:.1f} / {fpp:.1f} | {epp / lpp:.2f} / {fpp / lpp:.2f} "
              f"| {ltg:.1f} | {etg:.1f} / {ftg:.1f} | {etg / ltg:.2f} / {ftg / ltg:.2f} | {roof} | {rss} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "prompt": args.prompt, "gen": args.gen, "depth": args.depth,
                       "fast_repack": args.repack,
                       "bandwidth_gbs": args.bandwidth, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
