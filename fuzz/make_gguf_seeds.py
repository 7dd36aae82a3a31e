#!/usr/bin/env python3
"""Writes the GGUF seed corpus (fuzz/corpus/gguf/): tiny but complete models flash loads — a
llama with a byte-level BPE vocabulary, and a gemma3-shaped one with a SentencePiece-style
vocabulary — so the fuzzer starts from files that reach the model and tokenizer code, not only
the header. Needs the `gguf` package (pip install gguf). Run from anywhere."""
import os

import numpy as np
import gguf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "gguf")


def bpe_vocab(w):
    tokens = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["Ġ", "Ġt", "th", "the", "<s>", "</s>"]
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types([1] * (len(tokens) - 2) + [3, 3])
    w.add_token_merges(["Ġ t", "t h", "th e"])
    w.add_bos_token_id(len(tokens) - 2)
    w.add_eos_token_id(len(tokens) - 1)
    return len(tokens)


def spm_vocab(w):
    tokens = ["<unk>", "<s>", "</s>", "▁", "▁the", "a", "b", "c", "<0x41>", "<end_of_turn>"]
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores([0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -3.0, -3.0, 0.0, 0.0])
    w.add_token_types([2, 3, 3, 1, 1, 1, 1, 1, 6, 3])
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    return len(tokens)


def model(path, arch, vocab, n_embd=8, n_ff=16, n_head=2, layers=1):
    w = gguf.GGUFWriter(path, arch)
    w.add_block_count(layers)
    w.add_context_length(64)
    w.add_embedding_length(n_embd)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    n_vocab = vocab(w)
    rng = np.random.default_rng(0)
    t = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    w.add_tensor("token_embd.weight", t(n_vocab, n_embd))
    w.add_tensor("output_norm.weight", t(n_embd))
    head = n_embd // n_head
    for i in range(layers):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", t(n_embd))
        w.add_tensor(p + "attn_q.weight", t(n_embd, n_embd))
        w.add_tensor(p + "attn_k.weight", t(n_embd, n_embd))
        w.add_tensor(p + "attn_v.weight", t(n_embd, n_embd))
        w.add_tensor(p + "attn_output.weight", t(n_embd, n_embd))
        w.add_tensor(p + "ffn_norm.weight", t(n_embd))
        w.add_tensor(p + "ffn_gate.weight", t(n_ff, n_embd))
        w.add_tensor(p + "ffn_up.weight", t(n_ff, n_embd))
        w.add_tensor(p + "ffn_down.weight", t(n_embd, n_ff))
        if arch == "gemma3":
            w.add_tensor(p + "attn_q_norm.weight", t(head))
            w.add_tensor(p + "attn_k_norm.weight", t(head))
            w.add_tensor(p + "post_attention_norm.weight", t(n_embd))
            w.add_tensor(p + "post_ffw_norm.weight", t(n_embd))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


os.makedirs(OUT, exist_ok=True)
model(os.path.join(OUT, "tiny-llama-bpe.gguf"), "llama", bpe_vocab)
model(os.path.join(OUT, "tiny-gemma3-spm.gguf"), "gemma3", spm_vocab)
print("wrote", sorted(os.listdir(OUT)))
