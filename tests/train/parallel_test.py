#!/usr/bin/env python3
"""flash train across two processes (torch.distributed with the gloo backend on this CPU,
FSDP2 sharding each decoder layer) against one process with the same global batch: the same
loss and gradient-norm curve and the same valid losses; the weights gathered from the shards
export a GGUF that flash runs with the one-process model's logits; a checkpoint written by
one process resumes in two; --batch x --accumulate not divisible by the processes is refused.

Usage: parallel_test.py --flash BIN [--testdata DIR]
Needs the training stack (scripts/install_train.sh). Exit 0 when every check passed, 77
(skipped) without torch."""
import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from training_env import require_torch  # noqa: E402

require_torch()

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import tiny_model  # noqa: E402
from logits_file import nmse, read_logits  # noqa: E402

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAILED:", message)


def train(args, out, processes, *extra):
    # --processes re-runs the command under torch.distributed.run, one process each.
    cmd = [sys.executable, "-m", "flash_train", "--model", args.model, "--data", args.rendered,
           "--out", out, "--batch", "2", "--limit", "16", "--seed", "3", "--lora-rank", "8",
           "--lr", "1e-2", "--eval-every", "3", "--flash", args.flash,
           "--processes", str(processes), *extra]
    # One thread per process: two processes on a two-core machine.
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "train"), OMP_NUM_THREADS="1")
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def rows(out, name):
    with open(os.path.join(out, name)) as f:
        return list(csv.DictReader(f))


def same_curve(a, b, columns, tolerance):
    if len(a) != len(b):
        return False
    return all(abs(float(x[c]) - float(y[c])) <= tolerance * max(1.0, abs(float(x[c])))
               for x, y in zip(a, b) for c in columns)


def logits(args, gguf, ids, path):
    subprocess.run([args.flash, "logits", "-m", gguf, "--tokens", ",".join(map(str, ids)), "-o",
                    path, "-t", "2"], check=True, capture_output=True)
    return read_logits(path)


def main():
    args = tiny_model.parse_args(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        tiny_model.prepare(args, tmp)

        one, two = os.path.join(tmp, "one"), os.path.join(tmp, "two")
        p1 = train(args, one, 1, "--max-steps", "6", "--gguf-type", "F32")
        p2 = train(args, two, 2, "--max-steps", "6", "--gguf-type", "F32")
        check(p1.returncode == 0, f"one process failed: {p1.stderr[-1500:]}")
        check(p2.returncode == 0 and "2 processes (FSDP)" in p2.stderr,
              f"two processes failed: {p2.stderr[-2500:]}")
        if p1.returncode or p2.returncode:
            return finish()
        a, b = rows(one, "metrics.csv"), rows(two, "metrics.csv")
        for x, y in zip(a, b):
            print(f"step {x['step']}: loss {x['loss']} / {y['loss']}, "
                  f"grad norm {x['grad_norm']} / {y['grad_norm']}")
        check(len(a) == 6, f"{len(a)} metric rows, expected 6")
        check(same_curve(a, b, ("loss", "grad_norm"), 1e-5),
              "two processes gave another loss curve than one with the same global batch")
        check(same_curve(rows(one, "eval.csv"), rows(two, "eval.csv"), ("valid_loss",), 1e-5),
              "two processes gave other valid losses")

        ids = list(range(100, 132))
        err = nmse(logits(args, os.path.join(one, "model.gguf"), ids, os.path.join(tmp, "1.bin")),
                   logits(args, os.path.join(two, "model.gguf"), ids, os.path.join(tmp, "2.bin")))
        print(f"model.gguf from two processes vs one: NMSE {err:.2e}")
        check(err < 1e-8, f"the model gathered from two processes differs (NMSE {err:.2e})")

        # A one-process checkpoint at step 3 resumes in two processes onto the same curve.
        mixed = os.path.join(tmp, "mixed")
        p = train(args, mixed, 1, "--max-steps", "6", "--stop-after", "3", "--no-export")
        check(p.returncode == 0 and "stopped after step 3" in p.stderr,
              f"--stop-after 3 failed: {p.stderr[-800:]}")
        p = train(args, mixed, 2, "--max-steps", "6", "--no-export")
        check(p.returncode == 0 and "resuming at step 3" in p.stderr,
              f"two processes did not resume the one-process checkpoint: {p.stderr[-1500:]}")
        if p.returncode == 0:
            check(same_curve(a, rows(mixed, "metrics.csv"), ("loss", "grad_norm"), 1e-5),
                  "resumed in two processes, the curve left the one-process run's")

        p = train(args, os.path.join(tmp, "odd"), 2, "--batch", "3", "--max-steps", "1")
        check(p.returncode != 0 and "multiple of the number of processes" in p.stderr,
              f"--batch 3 on two processes: exit {p.returncode}, {p.stderr[-600:]}")
    return finish()


def finish():
    print("parallel_test:", "FAILED" if failures else "passed", f"({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
