"""Training sequences from `flash data render` output: tokens, labels on the reply spans
only, and packing several examples into one sequence with their positions restarted and
attention kept inside each example."""
import json
import random
from dataclasses import dataclass, field

IGNORE = -100


@dataclass
class Example:
    ids: list
    labels: list


@dataclass
class Packed:
    ids: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    positions: list = field(default_factory=list)
    segments: list = field(default_factory=list)  # which example each token belongs to

    def add(self, example, segment):
        self.ids += example.ids
        # The first token is never a target: in a packed sequence the token before it belongs
        # to another example.
        self.labels += [IGNORE] + example.labels[1:]
        self.positions += list(range(len(example.ids)))
        self.segments += [segment] * len(example.ids)


def char_offsets(text):
    """Byte offset -> character offset, for the spans (bytes, from C++) and the tokenizer's
    offsets (characters)."""
    table = [0] * (len(text.encode("utf-8")) + 1)
    at = 0
    for i, ch in enumerate(text):
        n = len(ch.encode("utf-8"))
        for k in range(n):
            table[at + k] = i
        at += n
    table[at] = len(text)
    return table


def tokenize(record, tokenizer):
    """One rendered sequence as token ids, labelled where a token starts inside a reply span."""
    text = record["text"]
    to_char = char_offsets(text)
    spans = [(to_char[a], to_char[b]) for a, b in record["spans"]]
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    labels = []
    for tid, (start, _end) in zip(enc["input_ids"], enc["offset_mapping"]):
        inside = any(a <= start < b for a, b in spans)
        labels.append(tid if inside else IGNORE)
    return Example(list(enc["input_ids"]), labels)


def load(path, tokenizer, max_len, limit=0):
    """The examples of a rendered split, those longer than max_len counted and left out."""
    examples, too_long = [], 0
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            ex = tokenize(json.loads(line), tokenizer)
            if len(ex.ids) > max_len:
                too_long += 1
                continue
            if all(l == IGNORE for l in ex.labels):
                continue
            examples.append(ex)
            if limit and len(examples) >= limit:
                break
    return examples, too_long


def pack(examples, max_len, seed, epoch):
    """Examples in a seeded order, packed first-fit in that order into sequences of at most
    max_len tokens."""
    order = list(range(len(examples)))
    random.Random(f"{seed}/{epoch}").shuffle(order)
    packed, current = [], Packed()
    for i in order:
        ex = examples[i]
        if current.ids and len(current.ids) + len(ex.ids) > max_len:
            packed.append(current)
            current = Packed()
        current.add(ex, current.segments[-1] + 1 if current.segments else 0)
    if current.ids:
        packed.append(current)
    return packed


def batch_tensors(items, pad_id, torch):
    """input_ids, labels, position_ids and a 4-D additive mask (causal, within each example,
    padding masked) for a micro-batch of packed sequences."""
    length = max(len(p.ids) for p in items)
    ids = torch.full((len(items), length), pad_id, dtype=torch.long)
    labels = torch.full((len(items), length), IGNORE, dtype=torch.long)
    positions = torch.zeros((len(items), length), dtype=torch.long)
    segments = torch.full((len(items), length), -1, dtype=torch.long)
    for i, p in enumerate(items):
        n = len(p.ids)
        ids[i, :n] = torch.tensor(p.ids)
        labels[i, :n] = torch.tensor(p.labels)
        positions[i, :n] = torch.tensor(p.positions)
        segments[i, :n] = torch.tensor(p.segments)
    causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
    same = segments[:, :, None] == segments[:, None, :]
    allowed = same & causal[None] & (segments[:, :, None] >= 0)
    # A padding row attends to itself only, so no row is all -inf (softmax of nothing is NaN).
    allowed |= torch.eye(length, dtype=torch.bool)[None]
    mask = torch.zeros((len(items), 1, length, length))
    mask.masked_fill_(~allowed[:, None], float("-inf"))
    return ids, labels, positions, mask
