"""A tiny llama-shaped checkpoint for the training tests: random weights, the GPT-2
vocabulary of the testdata exported by `flash convert`, and a ChatML chat template."""
import argparse
import json
import os
import subprocess

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
          "(message['content'] or '') + '<|im_end|>' + '\\n'}}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")


def make(flash, testdata, out, seed=0):
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM
    vocab = os.path.join(testdata, "tokenizer", "ggml-vocab-gpt-2.gguf")
    subprocess.run([flash, "convert", vocab, out, "--to-hf", "-q", "--force"], check=True,
                   capture_output=True)
    config_path = os.path.join(out, "tokenizer_config.json")
    config = json.load(open(config_path))
    config["chat_template"] = CHATML
    config["eos_token"] = config.get("eos_token", "<|endoftext|>")
    json.dump(config, open(config_path, "w"), indent=2)
    tokenizer = AutoTokenizer.from_pretrained(out)
    torch.manual_seed(seed)
    model = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        tie_word_embeddings=True))
    model.save_pretrained(out, safe_serialization=True)
    return out


def parse_args(doc):
    """--flash BIN [--testdata DIR], the flags of the training tests."""
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--flash", required=True)
    ap.add_argument("--testdata", default=os.environ.get("FLASH_TESTDATA", os.path.join(
        root, "..", "shared", "testdata")))
    args = ap.parse_args()
    args.flash = os.path.abspath(args.flash)
    return args


def prepare(args, tmp):
    """The tiny model (args.model) and the small flash dataset rendered through its chat
    template (args.rendered), under tmp."""
    args.model = make(args.flash, args.testdata, os.path.join(tmp, "tiny"))
    built = os.path.join(tmp, "data")
    subprocess.run([args.flash, "data", "build", "--out", built, "--size", "small"],
                   check=True, capture_output=True)
    args.rendered = os.path.join(tmp, "rendered")
    subprocess.run([args.flash, "data", "render", "-m", args.model, "--data", built, "--out",
                    args.rendered], check=True, capture_output=True)
