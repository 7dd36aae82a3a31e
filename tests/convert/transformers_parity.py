#!/usr/bin/env python3
"""transformers on the checkpoints `flash convert --to-hf` writes: for each testdata
architecture it converts, the logits of the 32 reference tokens must meet the parity bar
against llama.cpp's exact logits (testdata/models/ARCH-TYPE.exact.logits.bin, or the F32
file's), the same bar flash's engine meets: NMSE <= max(1e-5, 2 x NMSE(llama.cpp native, exact))
and top-1 agreement >= 0.9.

The other way, a random Qwen3.5 made by transformers with more value heads than key heads in its
Gated DeltaNet layers (the heads llama.cpp's converter reorders), converted to GGUF: flash's
logits match transformers'.

Also, with FLASH_SMOLLM2 set, the default model converted: its tokenizer and chat template load
in transformers and its logits match flash's exact arithmetic on the GGUF.

Usage: transformers_parity.py --flash BIN [--testdata DIR] [--types F32,F16,Q8_0]
Needs torch and transformers (scripts/install_train.sh; found in ~/.cache/flash/train-venv or
$FLASH_TRAIN_PYTHON). Exit 0 when every model passes, 77 (skipped) without torch."""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from training_env import require_torch  # noqa: E402

require_torch()
import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402
from logits_file import nmse, read_logits  # noqa: E402


def real_model(args, tmp):
    """The default model (FLASH_SMOLLM2, Q4_1): the converted checkpoint's chat template and
    tokenizer load in transformers, and its logits on a chat prompt match flash's exact
    arithmetic on the GGUF (the same dequantized weights)."""
    gguf = os.environ.get("FLASH_SMOLLM2")
    if not gguf:
        print("SmolLM2: skipped (FLASH_SMOLLM2 is not set)")
        return 0
    from transformers import AutoTokenizer
    out = os.path.join(tmp, "smollm2")
    subprocess.run([args.flash, "convert", gguf, out, "--to-hf", "-q"], check=True, capture_output=True)
    tokenizer = AutoTokenizer.from_pretrained(out)
    text = tokenizer.apply_chat_template([{"role": "user", "content": "What is the capital of France?"}],
                                         add_generation_prompt=True, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
    with torch.no_grad():
        ours = model(torch.tensor([ids])).logits[0].float().numpy()
    flash_out = os.path.join(tmp, "smollm2.logits.bin")
    subprocess.run([args.flash, "logits", "-m", gguf, "--tokens", ",".join(map(str, ids)),
                    "-o", flash_out, "-t", "2"], check=True, capture_output=True)
    theirs = read_logits(flash_out)
    err = nmse(ours, theirs)
    top1 = float((ours.argmax(-1) == theirs.argmax(-1)).mean())
    reply = tokenizer.decode(model.generate(torch.tensor([ids]), max_new_tokens=8, do_sample=False)[0][len(ids):])
    ok = err <= 1e-5 and top1 >= 0.95 and "Paris" in reply
    print(f"SmolLM2 (Q4_1, {len(ids)} chat-template tokens): transformers vs flash NMSE {err:.2e}, "
          f"top-1 {top1:.3f}, transformers replies {reply!r} {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


def qwen35_value_heads(args, tmp):
    """A random Qwen3.5 with 2 key heads and 4 value heads per DeltaNet layer, zero-centred norms
    and A_log drawn away from their initial values, converted checkpoint -> GGUF: flash gives
    transformers' logits (f32 both, so NMSE <= 1e-8)."""
    from transformers import Qwen3_5ForCausalLM, Qwen3_5TextConfig
    torch.manual_seed(0)
    config = Qwen3_5TextConfig(
        vocab_size=96, hidden_size=128, intermediate_size=192, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=32, max_position_embeddings=256,
        linear_num_key_heads=2, linear_num_value_heads=4, linear_key_head_dim=16,
        linear_value_head_dim=16, rms_norm_eps=1e-6, tie_word_embeddings=False,
        layer_types=["linear_attention", "full_attention", "linear_attention"],
        rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.25,
                         "mrope_section": [2, 1, 1], "mrope_interleaved": True})
    model = Qwen3_5ForCausalLM(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("linear_attn.norm.weight"):
                p.normal_(1.0, 0.1)
            elif name.endswith("norm.weight"):
                p.normal_(0.0, 0.1)
            elif name.endswith("A_log"):
                p.uniform_(-1.0, 2.0)
            elif name.endswith("dt_bias"):
                p.normal_(0.0, 0.5)
            elif p.dim() >= 2:
                p.normal_(0.0, p.shape[-1] ** -0.5)
    hf = os.path.join(tmp, "qwen35-random")
    model.save_pretrained(hf)
    gguf = hf + ".gguf"
    subprocess.run([args.flash, "convert", hf, gguf, "-q"], check=True, capture_output=True)
    ids = list(range(3, 35))
    with torch.no_grad():
        ours = model(torch.tensor([ids])).logits[0].float().numpy()
    out = hf + ".logits.bin"
    subprocess.run([args.flash, "logits", "-m", gguf, "--tokens", ",".join(map(str, ids)), "-o", out,
                    "-t", "2"], check=True, capture_output=True)
    theirs = read_logits(out)
    err = nmse(theirs, ours)
    top1 = float((ours.argmax(-1) == theirs.argmax(-1)).mean())
    # f16 keys and values in flash's cache (llama.cpp's default) alone give ~2e-8 against
    # transformers' f32; a head-order mistake gives ~1.
    ok = err <= 1e-6 and top1 >= 0.95
    print(f"qwen35 random (4 value heads on 2 key heads) -> GGUF: flash vs transformers NMSE "
          f"{err:.2e}, top-1 {top1:.3f} {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flash", required=True)
    ap.add_argument("--testdata", default=os.environ.get("FLASH_TESTDATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "testdata")))
    ap.add_argument("--types", default="F32,F16,Q8_0")
    args = ap.parse_args()
    models = os.path.join(args.testdata, "models")
    tokens = [int(t) for t in open(os.path.join(models, "tokens.txt")).read().strip().split(",")]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for arch in ("llama", "qwen2", "qwen3", "gemma3", "qwen35"):
            for typ in args.types.split(","):
                gguf = os.path.join(models, f"{arch}-{typ}.gguf")
                if not os.path.exists(gguf):
                    continue
                out = os.path.join(tmp, f"{arch}-{typ}")
                subprocess.run([args.flash, "convert", gguf, out, "--to-hf", "-q"], check=True,
                               capture_output=True)
                model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
                model.eval()
                with torch.no_grad():
                    ours = model(torch.tensor([tokens])).logits[0].float().numpy()
                exact_path = os.path.join(models, f"{arch}-{typ}.exact.logits.bin")
                if not os.path.exists(exact_path):
                    exact_path = os.path.join(models, f"{arch}-{typ}.logits.bin")
                exact = read_logits(exact_path)
                native = read_logits(os.path.join(models, f"{arch}-{typ}.logits.bin"))
                bar = max(1e-5, 2 * nmse(native, exact))
                err = nmse(ours, exact)
                top1 = float((ours.argmax(-1) == exact.argmax(-1)).mean())
                ok = err <= bar and top1 >= 0.9
                failures += not ok
                print(f"{arch}-{typ}: transformers vs llama.cpp exact NMSE {err:.2e} (bar {bar:.2e}), "
                      f"top-1 {top1:.3f} {'ok' if ok else 'FAILED'}")
        failures += qwen35_value_heads(args, tmp)
        failures += real_model(args, tmp)
    print("transformers_parity:", "FAILED" if failures else "passed", f"({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
