"""The .logits.bin files of the reference data and `flash logits` (int32 n_tokens, int32
n_vocab, then float32[n_tokens][n_vocab], little endian) and the parity measure they are
compared by, for the Python test scripts."""
import struct

import numpy as np


def read_logits(path):
    with open(path, "rb") as f:
        n_tokens, n_vocab = struct.unpack("<ii", f.read(8))
        return np.frombuffer(f.read(), dtype=np.float32).reshape(n_tokens, n_vocab)


def nmse(a, b):
    """sum((a - b)^2) / sum(b^2): testdata/README.md's parity measure."""
    return float(((a - b) ** 2).sum() / (b ** 2).sum())
