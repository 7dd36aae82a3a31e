"""python -m flash_train (what `flash train` runs)."""
import argparse
import os
import sys


def parser():
    p = argparse.ArgumentParser(prog="flash train", description=(
        "Fine-tune a Hugging Face checkpoint (flash convert --to-hf makes one from a GGUF) on "
        "a dataset rendered by `flash data render`: loss on the replies only, packed sequences "
        "with attention kept inside each example, LoRA or full, resumable."))
    p.add_argument("--model", required=True, help="checkpoint directory (config.json, safetensors, tokenizer)")
    p.add_argument("--data", required=True, help="directory from `flash data render` (train.jsonl, valid.jsonl)")
    p.add_argument("--out", required=True, help="run directory (metrics, checkpoints, the merged model)")
    p.add_argument("--lora-rank", type=int, default=16, help="LoRA rank (default 16)")
    p.add_argument("--full", action="store_true", help="train every weight instead of a LoRA")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: --epochs)")
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--warmup", type=float, default=0.05, help="share of the steps warming up")
    p.add_argument("--batch", type=int, default=4, help="packed sequences per micro-batch")
    p.add_argument("--accumulate", type=int, default=1, help="micro-batches per optimizer step")
    p.add_argument("--max-len", type=int, default=1024, help="tokens per packed sequence")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping")
    p.add_argument("--eval-every", type=int, default=50, help="steps between valid-split evaluations")
    p.add_argument("--eval-examples", type=int, default=64, help="valid examples evaluated")
    p.add_argument("--save-every", type=int, default=25, help="steps between checkpoints")
    p.add_argument("--stop-after", type=int, default=0, help=(
        "stop after this step with a checkpoint, the schedule unchanged: a long run spread over "
        "several sittings"))
    p.add_argument("--limit", type=int, default=0, help="use only the first N training examples")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--processes", type=int, default=1, help=(
        "processes on this machine, one per GPU (started with torch.distributed.run; the model "
        "sharded with FSDP2). Several machines: see docs/TRAINING.md"))
    p.add_argument("--zero2", action="store_true", help=(
        "with several processes: keep the gathered weights from forward to backward (gradients "
        "and optimizer state sharded, weights not; faster, more memory)"))
    p.add_argument("--f32", action="store_true", help="train in f32 on a GPU too (default there: bf16)")
    p.add_argument("--restart", action="store_true", help="ignore a checkpoint in --out")
    p.add_argument("--no-export", action="store_true", help="skip writing merged/ and model.gguf")
    p.add_argument("--gguf-type", default="F16", help="type of RUN/model.gguf (F32, F16, BF16)")
    p.add_argument("--flash", default="", help="the flash binary (default: from PATH)")
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    if args.processes > 1 and "WORLD_SIZE" not in os.environ:
        # The same command once per process; torch.distributed.run sets RANK and WORLD_SIZE,
        # so the processes it starts do not start more.
        os.execv(sys.executable, [sys.executable, "-m", "torch.distributed.run", "--standalone",
                                  "--nproc_per_node", str(args.processes), "-m", "flash_train",
                                  *argv])
    from .trainer import TrainingError, export, train
    try:
        model, tokenizer, run, par, finished = train(args)
        if finished and not args.no_export:
            export(model, tokenizer, run, args, par)
        par.close()
    except TrainingError as e:
        print(f"flash train: error: {e}", file=sys.stderr)
        return 2
    return 0
