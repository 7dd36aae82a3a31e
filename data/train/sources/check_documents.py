#!/usr/bin/env python3
"""Mechanical checks for data/train/sources/documents.jsonl.

Usage: python3 check_documents.py [documents.jsonl] [eval_dir]

Defaults: documents.jsonl next to this script, and data/eval/ of the repository
that holds it. Prints counts per genre and per kind; on any problem prints
"doc_id: problem" lines and exits 1. Python 3 standard library only.
"""

import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

MIN_DOCS = 150
MIN_GENRES = 10
NGRAM = 13
SENTENCE_KINDS = {"fact", "number", "date", "list", "negation", "comparison"}
UNANSWERABLE_KINDS = {"entity", "date", "detail"}
DOC_KEYS = ["id", "genre", "title", "sentences", "unanswerable"]
SENT_KEYS = ["text", "question", "answer", "kind"]
UNANS_KEYS = ["question", "kind"]
ID_RE = re.compile(r"^doc_\d{3,}$")
WORD_RE = re.compile(r"[a-z0-9]+")
DIGIT_DOT_DIGIT = re.compile(r"\d\.\d")
# Names used by the evaluation documents; training documents must not reuse them.
EVAL_NAMES = [
    "Parcelwise", "Whitfield", "Riverside", "Aurelio", "Amundsen", "Chowdhury",
    "Foundry Row", "Mill Street", "Peakform", "Corvane", "Elmstead", "Okafor",
    "Lindholm", "Carvalho", "Duarte", "Weller", "Harvest Ridge", "Inkhaven",
    "Quarry Street", "Brightwell", "Tideline", "Larkspur", "Harbor & Pine",
    "Lindqvist", "Natarajan", "Stratoform", "Quillnote", "Tallowfield", "Nimbus",
    "Kestrel", "Ashford", "Harlow", "Pelham", "Westbridge", "Ostrowski", "Vantor",
    "Millbrook", "Lumora", "ResidentHub", "TripDesk", "ExpensePoint", "DescalePro",
]
NAME_RES = [(n, re.compile(r"\b" + re.escape(n) + r"\b", re.IGNORECASE)) for n in EVAL_NAMES]


def words(text):
    return text.split()


def ngrams(tokens, n):
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def eval_ngrams(eval_dir):
    grams = set()
    nfiles = 0
    for root, _dirs, files in os.walk(eval_dir):
        for name in files:
            path = os.path.join(root, name)
            try:
                with open(path, "r", encoding="utf-8", errors="ignore") as f:
                    text = f.read()
            except OSError:
                continue
            nfiles += 1
            grams |= ngrams(WORD_RE.findall(text.lower()), NGRAM)
    return grams, nfiles


def check_sentence_text(text, lo, hi, endings):
    """Return a list of problems with one sentence-like string."""
    probs = []
    if not isinstance(text, str) or not text:
        return ["empty or not a string"]
    if "\n" in text or "\r" in text:
        probs.append("contains a newline")
    if text != text.strip():
        probs.append("leading or trailing whitespace")
    if text[-1] not in endings:
        probs.append("does not end with one of %r" % (endings,))
    if ". " in text[:-1]:
        probs.append("has '. ' inside")
    if DIGIT_DOT_DIGIT.search(text):
        probs.append("has a digit-dot-digit")
    if any(c in ".!?" for c in text[:-1]):
        probs.append("has . ! or ? before the end")
    n = len(words(text))
    if not lo <= n <= hi:
        probs.append("%d words (want %d-%d)" % (n, lo, hi))
    return probs


def main():
    docs_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "documents.jsonl")
    eval_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "data", "eval")
    problems = []

    def bad(where, msg):
        problems.append("%s: %s" % (where, msg))

    grams, nfiles = eval_ngrams(eval_dir)
    if nfiles == 0:
        bad("eval", "no files found under %s" % eval_dir)

    genres = Counter()
    kinds = Counter()
    ukinds = Counter()
    ids = set()
    seen_sentences = {}
    seen_questions = {}
    n_docs = n_sent = n_unans = 0

    with open(docs_path, "rb") as f:
        raw_lines = f.read().split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()

    for lineno, raw in enumerate(raw_lines, 1):
        where = "line %d" % lineno
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            bad(where, "not valid UTF-8")
            continue
        if not line.isascii():
            bad(where, "non-ASCII characters")
        try:
            doc = json.loads(line)
        except ValueError as e:
            bad(where, "invalid JSON (%s)" % e)
            continue
        if not isinstance(doc, dict) or list(doc.keys()) != DOC_KEYS:
            bad(where, "keys must be %s in that order" % DOC_KEYS)
            continue
        did = doc["id"]
        where = str(did)
        n_docs += 1
        if not isinstance(did, str) or not ID_RE.match(did):
            bad(where, "bad id")
        if did in ids:
            bad(where, "duplicate id")
        ids.add(did)
        genre, title = doc["genre"], doc["title"]
        if not isinstance(genre, str) or not re.match(r"^[a-z_]+$", genre):
            bad(where, "bad genre %r" % (genre,))
        genres[genre] += 1
        if not isinstance(title, str) or not title.strip() or "\n" in title:
            bad(where, "bad title")

        sents = doc["sentences"]
        if not isinstance(sents, list) or not 8 <= len(sents) <= 14:
            bad(where, "needs 8-14 sentences, has %s" % (len(sents) if isinstance(sents, list) else "none"))
            sents = sents if isinstance(sents, list) else []
        doc_kinds = Counter()
        all_strings = [title]
        for i, s in enumerate(sents, 1):
            sw = "%s sentence %d" % (did, i)
            if not isinstance(s, dict) or list(s.keys()) != SENT_KEYS:
                bad(sw, "keys must be %s in that order" % SENT_KEYS)
                continue
            n_sent += 1
            text, q, a, k = s["text"], s["question"], s["answer"], s["kind"]
            for p in check_sentence_text(text, 8, 30, ".!?"):
                bad(sw, "text " + p)
            for p in check_sentence_text(q, 6, 25, "?"):
                bad(sw, "question " + p)
            if not isinstance(a, str) or not a.strip():
                bad(sw, "empty answer")
            elif a not in text:
                bad(sw, "answer %r not verbatim in sentence" % a)
            elif a.strip(" .!?") == text.strip(" .!?"):
                bad(sw, "answer is the whole sentence")
            elif len(words(a)) > 15:
                bad(sw, "answer longer than 15 words")
            if k not in SENTENCE_KINDS:
                bad(sw, "bad kind %r" % (k,))
            doc_kinds[k] += 1
            kinds[k] += 1
            if isinstance(text, str) and isinstance(q, str):
                tw = WORD_RE.findall(text.lower())
                qw = WORD_RE.findall(q.lower())
                if ngrams(tw, 8) & ngrams(qw, 8):
                    bad(sw, "question copies 8 or more consecutive words of the sentence")
                key = text.lower()
                if key in seen_sentences:
                    bad(sw, "sentence duplicates %s" % seen_sentences[key])
                seen_sentences.setdefault(key, sw)
                key = q.lower()
                if key in seen_questions:
                    bad(sw, "question duplicates %s" % seen_questions[key])
                seen_questions.setdefault(key, sw)
                all_strings += [text, q, a]
        if doc_kinds["negation"] < 1:
            bad(where, "no negation sentence")

        unans = doc["unanswerable"]
        if not isinstance(unans, list) or not 2 <= len(unans) <= 4:
            bad(where, "needs 2-4 unanswerable questions")
            unans = unans if isinstance(unans, list) else []
        answerable_qs = {s.get("question", "").lower() for s in sents if isinstance(s, dict)}
        for i, u in enumerate(unans, 1):
            uw = "%s unanswerable %d" % (did, i)
            if not isinstance(u, dict) or list(u.keys()) != UNANS_KEYS:
                bad(uw, "keys must be %s in that order" % UNANS_KEYS)
                continue
            n_unans += 1
            for p in check_sentence_text(u["question"], 6, 25, "?"):
                bad(uw, "question " + p)
            if u["kind"] not in UNANSWERABLE_KINDS:
                bad(uw, "bad kind %r" % (u["kind"],))
            ukinds[u["kind"]] += 1
            if isinstance(u["question"], str):
                if u["question"].lower() in answerable_qs:
                    bad(uw, "same as an answerable question")
                key = u["question"].lower()
                if key in seen_questions:
                    bad(uw, "question duplicates %s" % seen_questions[key])
                seen_questions.setdefault(key, uw)
                all_strings.append(u["question"])

        strings = [x for x in all_strings if isinstance(x, str)]
        doc_text = " ".join(s["text"] for s in sents if isinstance(s, dict) and isinstance(s.get("text"), str))
        for x in strings + [doc_text]:
            hit = ngrams(WORD_RE.findall(x.lower()), NGRAM) & grams
            if hit:
                bad(where, "shares a %d-gram with data/eval: %r" % (NGRAM, " ".join(sorted(hit)[0])))
                break
        joined = " ".join(strings)
        for name, rx in NAME_RES:
            if rx.search(joined):
                bad(where, "reuses the evaluation name %r" % name)

    if n_docs < MIN_DOCS:
        bad("file", "only %d documents (want >= %d)" % (n_docs, MIN_DOCS))
    if len(genres) < MIN_GENRES:
        bad("file", "only %d genres (want >= %d)" % (len(genres), MIN_GENRES))

    print("documents: %d  sentences: %d  unanswerable: %d  genres: %d  eval files scanned: %d"
          % (n_docs, n_sent, n_unans, len(genres), nfiles))
    print("per genre: " + ", ".join("%s=%d" % kv for kv in sorted(genres.items())))
    print("per sentence kind: " + ", ".join("%s=%d" % kv for kv in sorted(kinds.items())))
    print("per unanswerable kind: " + ", ".join("%s=%d" % kv for kv in sorted(ukinds.items())))
    if problems:
        for p in problems:
            print("FAIL " + p)
        print("%d problem(s)" % len(problems))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
