"""The training loop: LoRA (peft) or full fine-tuning of a transformers causal LM on packed,
reply-only-labelled sequences; AdamW with warm-up and cosine decay, gradient accumulation and
clipping; evaluation on the valid split; checkpoints that resume onto the same loss curve; a
NaN guard; metrics as CSV and SVG; the merged model written as a checkpoint and as GGUF.
Several processes (torchrun, accelerate launch) shard the model with FSDP2 and split each
step's sequences between them: the same global batch, the same loss curve."""
import csv
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time

import torch

from . import curves, data
from .parallel import Parallel, full_state, load_full_state


class TrainingError(RuntimeError):
    pass


def log(msg, par=None):
    if par is None or par.main:
        print(msg, file=sys.stderr, flush=True)


def set_seed(seed):
    random.seed(seed)
    torch.manual_seed(seed)


def load_model(args, dtype=None):
    from transformers import AutoModelForCausalLM
    if dtype is None:
        dtype = torch.bfloat16 if (torch.cuda.is_available() and not args.f32) else torch.float32
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype,
                                                 attn_implementation="sdpa")
    if args.full:
        return model
    from peft import LoraConfig, get_peft_model
    config = LoraConfig(r=args.lora_rank, lora_alpha=2 * args.lora_rank, lora_dropout=0.0,
                        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                        "up_proj", "down_proj"], task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def schedule(step, total, warmup):
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def base_model(model):
    """The transformers model under a peft wrapper (the model itself when there is none)."""
    return model.get_base_model() if hasattr(model, "get_base_model") else model


class ReplyLoss(torch.nn.Module):
    """Summed cross-entropy over the labelled tokens of a micro-batch, as one module: FSDP's
    root unit gathers the embeddings, final norm and output projection around its forward.

    The output projection runs on the labelled positions only: replies are a small share of
    the tokens and the projection onto the vocabulary is a fifth of a 135M model's compute."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.softcap = getattr(base_model(model).config, "final_logit_softcapping", None)

    def decoder_layers(self):
        return list(base_model(self.model).model.layers)

    def forward(self, ids, labels, positions, mask):
        base = base_model(self.model)
        hidden = base.model(input_ids=ids, attention_mask=mask,
                            position_ids=positions).last_hidden_state
        targets = labels[:, 1:]
        keep = targets != data.IGNORE
        logits = base.lm_head(hidden[:, :-1][keep]).float()
        if self.softcap:
            logits = torch.tanh(logits / self.softcap) * self.softcap
        return torch.nn.functional.cross_entropy(logits, targets[keep], reduction="sum")


def token_loss_sum(loss_module, items, pad_id, device):
    """The summed loss of a micro-batch of packed sequences, and its labelled-token count."""
    ids, labels, positions, mask = data.batch_tensors(items, pad_id, torch)
    dtype = next(loss_module.parameters()).dtype
    loss = loss_module(ids.to(device), labels.to(device), positions.to(device),
                       mask.to(device=device, dtype=dtype))
    return loss, int((labels[:, 1:] != data.IGNORE).sum())


class Run:
    """RUN/: config.json, metrics.csv, eval.csv, loss.svg, checkpoint/, adapter/, merged/."""

    def __init__(self, out, write=True):
        self.out = out
        self.write = write  # false on every process but the first
        os.makedirs(out, exist_ok=True)
        self.metrics = os.path.join(out, "metrics.csv")
        self.evals = os.path.join(out, "eval.csv")
        self.checkpoint = os.path.join(out, "checkpoint", "state.pt")

    def rows(self, path):
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return list(csv.DictReader(f))

    def keep_until(self, path, step):
        """Drops rows past `step` (written after the checkpoint a resume starts from)."""
        if not self.write:
            return
        rows = [r for r in self.rows(path) if int(r["step"]) <= step]
        if rows:
            with open(path, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
                w.writeheader()
                w.writerows(rows)
        elif os.path.exists(path):
            os.remove(path)

    def append(self, path, row):
        if not self.write:
            return
        new = not os.path.exists(path)
        with open(path, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(row.keys()))
            if new:
                w.writeheader()
            w.writerow(row)

    def curves(self):
        if not self.write:
            return
        train = [(int(r["step"]), float(r["loss"])) for r in self.rows(self.metrics)]
        valid = [(int(r["step"]), float(r["valid_loss"])) for r in self.rows(self.evals)]
        with open(os.path.join(self.out, "loss.svg"), "w") as f:
            f.write(curves.svg({"train": train, "valid": valid}, "loss per reply token"))


def save_checkpoint(run, par, model, optimizer, step):
    params, optim = full_state(model, optimizer)  # every process takes part in the gathering
    if par.main:
        state = {"step": step, "params": params, "optimizer": optim,
                 "torch_rng": torch.get_rng_state(), "python_rng": random.getstate()}
        os.makedirs(os.path.dirname(run.checkpoint), exist_ok=True)
        tmp = run.checkpoint + ".part"
        torch.save(state, tmp)
        os.replace(tmp, run.checkpoint)  # a kill mid-save leaves the previous checkpoint whole
    par.barrier()


def load_checkpoint(run, model, optimizer):
    state = torch.load(run.checkpoint, weights_only=False)
    load_full_state(model, optimizer, state["params"], state["optimizer"])
    torch.set_rng_state(state["torch_rng"])
    random.setstate(state["python_rng"])
    return state["step"]


def shares(items, par):
    """This process's share of a list, and how many rounds every process runs (FSDP needs the
    same number of forward passes on each; a process short of items repeats its last one and
    drops the result)."""
    mine = items[par.rank::par.world]
    rounds = -(-len(items) // par.world)
    return mine, rounds


def evaluate(loss_module, sequences, args, pad_id, par):
    loss_module.eval()
    batches = [sequences[i:i + args.batch] for i in range(0, len(sequences), args.batch)]
    mine, rounds = shares(batches, par)
    total, count = 0.0, 0
    with torch.no_grad():
        for r in range(rounds):
            batch = mine[min(r, len(mine) - 1)] if mine else batches[0]
            loss, n = token_loss_sum(loss_module, batch, pad_id, par.device)
            if r < len(mine):
                total, count = total + float(loss), count + n
    loss_module.train()
    total, count = par.sum(total, count)
    return total / max(1, count)


def train(args):
    from transformers import AutoTokenizer
    par = Parallel()
    set_seed(args.seed)
    run = Run(args.out, write=par.main)
    per_step = args.batch * args.accumulate
    if per_step % par.world:
        raise TrainingError(f"--batch x --accumulate ({per_step} sequences a step) must be a "
                            f"multiple of the number of processes ({par.world})")
    device = par.device
    torch.use_deterministic_algorithms(device.type == "cpu", warn_only=True)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    train_examples, too_long = data.load(os.path.join(args.data, "train.jsonl"), tokenizer,
                                         args.max_len, args.limit)
    if not train_examples:
        raise TrainingError(f"{args.data}/train.jsonl: no example fits --max-len {args.max_len}")
    valid_examples = []
    if os.path.exists(os.path.join(args.data, "valid.jsonl")):
        valid_examples, _ = data.load(os.path.join(args.data, "valid.jsonl"), tokenizer,
                                      args.max_len, args.eval_examples)
    valid = data.pack(valid_examples, args.max_len, args.seed, -1)
    epochs = [data.pack(train_examples, args.max_len, args.seed, 0)]  # more as the run needs
    per_epoch = math.ceil(len(epochs[0]) / per_step)
    total = args.max_steps or per_epoch * args.epochs
    log(f"flash train: {len(train_examples)} examples ({too_long} longer than --max-len left out), "
        f"{per_epoch} steps per epoch, {total} steps, device {device}"
        + (f", {par.world} processes (FSDP)" if par.world > 1 else ""), par)
    if par.main:
        with open(os.path.join(args.out, "config.json"), "w") as f:
            json.dump(vars(args), f, indent=2)

    model = load_model(args).to(device)
    loss_module = ReplyLoss(model)
    par.shard(loss_module, loss_module.decoder_layers(), not args.zero2)
    loss_module.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    warmup = max(1, int(args.warmup * total))
    start = 0
    seen = int(par.sum(float(os.path.exists(run.checkpoint)))[0])
    if 0 < seen < par.world:
        raise TrainingError(f"{run.checkpoint} is visible to {seen} of {par.world} processes; "
                            "put --out on storage that every machine shares")
    if seen and not args.restart:
        start = load_checkpoint(run, model, optimizer)
        run.keep_until(run.metrics, start)
        run.keep_until(run.evals, start)
        log(f"flash train: resuming at step {start} from {run.checkpoint}", par)

    # The sequences of every step, fixed by the seed: a resumed run sees the same ones.
    # Epochs are reshuffled and repacked (so their sequence counts differ) and read as one
    # stream, each step taking the next batch x accumulate sequences; with several processes
    # each takes every world-th of them.

    def stream(index):
        while True:
            for packed in epochs:
                if index < len(packed):
                    return packed[index]
                index -= len(packed)
            epochs.append(data.pack(train_examples, args.max_len, args.seed, len(epochs)))

    def step_sequences(step):
        return [stream(step * per_step + i) for i in range(per_step)]

    began, tokens_seen = time.time(), 0
    for step in range(start, total):
        for group in optimizer.param_groups:
            group["lr"] = args.lr * schedule(step, total, warmup)
        sequences = step_sequences(step)
        labelled = sum(sum(1 for l in p.labels[1:] if l != data.IGNORE) for p in sequences)
        mine, _ = shares(sequences, par)
        optimizer.zero_grad(set_to_none=True)
        loss_sum = 0.0
        for i in range(0, len(mine), args.batch):
            loss, _ = token_loss_sum(loss_module, mine[i:i + args.batch], pad_id, device)
            # FSDP averages gradients over the processes; the step's loss is their sum.
            (loss * par.world / max(1, labelled)).backward()
            loss_sum += float(loss.detach())
        norm = torch.nn.utils.clip_grad_norm_(params, args.clip)
        norm = float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)
        loss_value = par.sum(loss_sum)[0] / max(1, labelled)
        if not math.isfinite(loss_value) or not math.isfinite(norm):
            raise TrainingError(
                f"step {step + 1}: the loss became {loss_value} (gradient norm {norm}); stopped "
                f"before updating, so {run.checkpoint if os.path.exists(run.checkpoint) else 'no checkpoint'} "
                "is the last good state — lower --lr, or train in f32 (--f32)")
        optimizer.step()
        tokens = sum(len(p.ids) for p in sequences)
        tokens_seen += tokens
        elapsed = time.time() - began
        rate = tokens_seen / max(elapsed, 1e-9)
        run.append(run.metrics, {"step": step + 1, "loss": f"{loss_value:.6f}",
                                 "lr": f"{optimizer.param_groups[0]['lr']:.3e}",
                                 "grad_norm": f"{norm:.4f}", "tokens": tokens})
        eta = (total - step - 1) * elapsed / max(1, step + 1 - start)
        log(f"step {step + 1}/{total} loss {loss_value:.4f} lr {optimizer.param_groups[0]['lr']:.2e} "
            f"{rate:.0f} tok/s ETA {eta:.0f} s", par)
        if valid and args.eval_every and (step + 1) % args.eval_every == 0:
            v = evaluate(loss_module, valid, args, pad_id, par)
            run.append(run.evals, {"step": step + 1, "valid_loss": f"{v:.6f}"})
            log(f"step {step + 1}: valid loss {v:.4f}", par)
        if args.save_every and (step + 1) % args.save_every == 0:
            save_checkpoint(run, par, model, optimizer, step + 1)
        run.curves()
        if args.stop_after and step + 1 >= args.stop_after and step + 1 < total:
            save_checkpoint(run, par, model, optimizer, step + 1)
            log(f"flash train: stopped after step {step + 1} of {total} (--stop-after); the same "
                "command without --stop-after continues", par)
            return model, tokenizer, run, par, False
    save_checkpoint(run, par, model, optimizer, total)
    run.curves()
    return model, tokenizer, run, par, True


def export(model, tokenizer, run, args, par):
    """RUN/adapter (LoRA), RUN/merged (a full checkpoint) and RUN/model.gguf (flash convert).
    With several processes the sharded weights are gathered into a fresh copy on process 0."""
    if par.world > 1:
        weights, _ = full_state(model)
        if not par.main:
            return
        model = load_model(args, dtype=next(iter(weights.values())).dtype)
        model.load_state_dict(weights)
    merged_dir = os.path.join(run.out, "merged")
    if not args.full:
        model.save_pretrained(os.path.join(run.out, "adapter"))
        model = model.merge_and_unload()
    model.save_pretrained(merged_dir, safe_serialization=True)
    tokenizer.save_pretrained(merged_dir)
    # flash's own tokenizer files (exact pre-tokenizer name, chat template) over transformers'.
    for name in ("tokenizer.json", "tokenizer_config.json"):
        src = os.path.join(args.model, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(merged_dir, name))
    flash = args.flash or shutil.which("flash")
    if not flash:
        log("flash train: flash not found; convert RUN/merged with `flash convert` yourself")
        return
    subprocess.run([flash, "convert", merged_dir, os.path.join(run.out, "model.gguf"), "--type",
                    args.gguf_type, "--force", "-q"], check=True)
    log(f"flash train: wrote {os.path.join(run.out, 'model.gguf')}")
