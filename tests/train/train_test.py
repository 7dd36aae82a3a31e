#!/usr/bin/env python3
"""flash train on a tiny random llama (the testdata GPT-2 vocabulary, a ChatML template) and a
small flash dataset rendered by `flash data render`: labels fall exactly on the replies;
packed examples do not see each other; 20 full fine-tuning steps lower the loss; a LoRA run
exports a merged GGUF that flash runs with transformers' logits; a run killed with SIGKILL
resumes onto the same loss curve; a diverging run stops with the NaN guard's message.

Usage: train_test.py --flash BIN [--testdata DIR]
Needs the training stack (scripts/install_train.sh; found in ~/.cache/flash/train-venv or
$FLASH_TRAIN_PYTHON). Exit 0 when every check passed, 77 (skipped) without torch."""
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from training_env import require_torch  # noqa: E402

require_torch()
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "train"))
import tiny_model  # noqa: E402
from flash_train import data  # noqa: E402
from logits_file import nmse, read_logits  # noqa: E402

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAILED:", message)


def train(args, out, *extra, wait=True):
    cmd = [sys.executable, "-m", "flash_train", "--model", args.model, "--data", args.rendered,
           "--out", out, "--batch", "2", "--max-len", "1024", "--limit", "16", "--seed", "3",
           "--flash", args.flash, *extra]
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "train"))
    if not wait:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)


def metrics(out):
    with open(os.path.join(out, "metrics.csv")) as f:
        return list(csv.DictReader(f))


def test_labels_fall_on_the_replies(args):
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    with open(os.path.join(args.rendered, "train.jsonl")) as f:
        records = [json.loads(line) for _, line in zip(range(40), f)]
    for r in records:
        ex = data.tokenize(r, tokenizer)
        labelled = tokenizer.decode([t for t, l in zip(ex.ids, ex.labels) if l != data.IGNORE])
        raw = r["text"].encode("utf-8")
        want = "".join(raw[a:b].decode("utf-8") for a, b in r["spans"])
        check(labelled == want, f"{r['id']}: labelled text {labelled[:80]!r} != replies {want[:80]!r}")


def test_packing_keeps_examples_apart(args):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from flash_train.trainer import ReplyLoss, token_loss_sum
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32,
                                                 attn_implementation="sdpa").eval()
    examples, _ = data.load(os.path.join(args.rendered, "train.jsonl"), tokenizer, 1024, 3)
    loss = ReplyLoss(model)
    with torch.no_grad():
        alone = 0.0
        for ex in examples:
            p = data.Packed()
            p.add(ex, 0)
            alone += float(token_loss_sum(loss, [p], 0, "cpu")[0])
        packed = data.Packed()
        for i, ex in enumerate(examples):
            packed.add(ex, i)
        together = float(token_loss_sum(loss, [packed], 0, "cpu")[0])
    check(abs(together - alone) <= 1e-4 * abs(alone),
          f"packed loss {together} != the examples' own {alone}: attention leaks across examples")


def test_full_fine_tuning_lowers_the_loss(args, tmp):
    out = os.path.join(tmp, "full")
    p = train(args, out, "--full", "--lr", "3e-3", "--max-steps", "20", "--eval-every", "10",
              "--no-export")
    check(p.returncode == 0, f"full run failed: {p.stderr[-1500:]}")
    if p.returncode:
        return
    losses = [float(r["loss"]) for r in metrics(out)]
    print(f"full fine-tuning: loss {losses[0]:.3f} -> {losses[-1]:.3f} over {len(losses)} steps")
    check(len(losses) == 20, f"{len(losses)} metric rows, expected 20")
    check(sum(losses[-3:]) / 3 < sum(losses[:3]) / 3 - 1.0, f"the loss did not fall: {losses}")
    svg = open(os.path.join(out, "loss.svg")).read()
    check(svg.startswith("<svg") and "polyline" in svg, "loss.svg has no curve")


def test_lora_exports_a_gguf_flash_runs(args, tmp):
    from transformers import AutoModelForCausalLM
    out = os.path.join(tmp, "lora")
    p = train(args, out, "--lora-rank", "8", "--lr", "1e-2", "--max-steps", "4",
              "--gguf-type", "F32")
    check(p.returncode == 0, f"LoRA run failed: {p.stderr[-1500:]}")
    if p.returncode:
        return
    for name in ("adapter", "merged", "model.gguf", "metrics.csv", "config.json"):
        check(os.path.exists(os.path.join(out, name)), f"RUN/{name} missing")
    ids = list(range(100, 132))
    logits_path = os.path.join(tmp, "lora.logits.bin")
    subprocess.run([args.flash, "logits", "-m", os.path.join(out, "model.gguf"), "--tokens",
                    ",".join(map(str, ids)), "-o", logits_path, "-t", "2"], check=True,
                   capture_output=True)
    theirs = read_logits(logits_path)
    model = AutoModelForCausalLM.from_pretrained(os.path.join(out, "merged"),
                                                 dtype=torch.float32)
    with torch.no_grad():
        ours = model(torch.tensor([ids])).logits[0].numpy()
    err = nmse(ours, theirs)
    print(f"merged LoRA model: flash on model.gguf vs transformers on merged/: NMSE {err:.2e}")
    check(err < 1e-6, f"flash and transformers disagree on the merged model (NMSE {err:.2e})")


def test_a_killed_run_resumes_onto_the_same_curve(args, tmp):
    common = ("--full", "--lr", "3e-3", "--max-steps", "12", "--save-every", "4",
              "--eval-every", "6", "--no-export")
    whole = os.path.join(tmp, "whole")
    p = train(args, whole, *common)
    check(p.returncode == 0, f"uninterrupted run failed: {p.stderr[-1500:]}")
    killed = os.path.join(tmp, "killed")
    proc = train(args, killed, *common, wait=False)
    deadline = time.time() + 600
    while time.time() < deadline:
        if os.path.exists(os.path.join(killed, "metrics.csv")) and len(metrics(killed)) >= 6:
            break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rows_at_kill = len(metrics(killed))
    p = train(args, killed, *common)
    check(p.returncode == 0 and "resuming at step" in p.stderr, f"resume failed: {p.stderr[-1500:]}")
    a, b = metrics(whole), metrics(killed)
    print(f"killed after {rows_at_kill} steps, resumed: {len(b)} rows")
    check([(r["step"], r["loss"], r["grad_norm"]) for r in a] ==
          [(r["step"], r["loss"], r["grad_norm"]) for r in b],
          "the resumed run's curve differs from the uninterrupted one")


def test_a_diverging_run_stops_with_a_clear_message(args, tmp):
    out = os.path.join(tmp, "nan")
    p = train(args, out, "--full", "--lr", "inf", "--max-steps", "5", "--no-export")
    check(p.returncode == 2 and "the loss became nan" in p.stderr.lower() and "--lr" in p.stderr,
          f"NaN guard: exit {p.returncode}, {p.stderr[-600:]}")


def main():
    args = tiny_model.parse_args(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        tiny_model.prepare(args, tmp)
        test_labels_fall_on_the_replies(args)
        test_packing_keeps_examples_apart(args)
        test_full_fine_tuning_lowers_the_loss(args, tmp)
        test_lora_exports_a_gguf_flash_runs(args, tmp)
        test_a_killed_run_resumes_onto_the_same_curve(args, tmp)
        test_a_diverging_run_stops_with_a_clear_message(args, tmp)
    print("train_test:", "FAILED" if failures else "passed", f"({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
