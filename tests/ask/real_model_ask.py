#!/usr/bin/env python3
"""Grounded answers from a real model, judged independently of flash: `flash ask --json` on a
spread of questions from data/eval/grounded whose documents are plain text or Markdown. Each
citation must name a document that was given, at the index it was given; in a plain-text
file its character offsets must select exactly its cited text (Python's own string
indexing), and in a Markdown file the cited text must be there once markup is set aside:
100%. An abstention
carries no content, and a question the documents share no word with abstains without the
model being asked.

Usage: real_model_ask.py --flash BIN --model-env FLASH_SMOLLM2 [--chat-template gemma]"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
from server_harness import parse_test_args  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = os.path.join(SOURCE, "data", "eval", "grounded")


def text_questions(limit):
    qs = [json.loads(l) for l in open(os.path.join(SUITE, "questions.jsonl")) if l.strip()]
    qs = [q for q in qs if all(d.endswith((".txt", ".md")) for d in q["documents"])]
    step = max(1, len(qs) // limit)
    return qs[::step][:limit]


def ask(args, model, docs, question):
    cmd = [args.flash, "ask", "-m", model, "--json", "-t", "2"]
    if args.chat_template:
        cmd += ["--chat-template", args.chat_template]
    for d in docs:
        cmd += ["--doc", d]
    cmd.append(question)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError(f"flash ask failed ({r.returncode}): {r.stderr}")
    return json.loads(r.stdout)


def without_markup(text):
    """Markdown's emphasis, code and heading marks removed and whitespace collapsed."""
    for mark in "*_`#":
        text = text.replace(mark, "")
    return " ".join(text.split())


def check_answer(answer, docs, problems, where):
    texts = [open(d, encoding="utf-8").read() for d in docs]
    given = [os.path.realpath(d) for d in docs]
    if answer["documents"][: len(given)] != given:
        problems.append(f"{where}: documents {answer['documents']} are not the given {given}")
    if answer["abstained"]:
        if answer["content"] or answer["answer"] != "I don't know.":
            problems.append(f"{where}: an abstention with content")
        return 0
    count = 0
    for block in answer["content"]:
        if not block["citations"]:
            problems.append(f"{where}: claim without a citation: {block['text']!r}")
        for c in block["citations"]:
            count += 1
            i = c["document_index"]
            if not 0 <= i < len(given) or c["document"] != given[i]:
                problems.append(f"{where}: citation outside the given documents: {c}")
                continue
            if docs[i].endswith(".txt"):
                quoted = texts[i][c["start_char_index"]:c["end_char_index"]]
                if quoted != c["cited_text"]:
                    problems.append(f"{where}: offsets select {quoted!r}, not {c['cited_text']!r}")
            elif without_markup(c["cited_text"]) not in without_markup(texts[i]):
                problems.append(f"{where}: {c['cited_text']!r} is not in {docs[i]}")
    return count


def main():
    args, model = parse_test_args(limit=6)
    if model is None:
        return 1
    problems, citations, abstained = [], 0, 0
    questions = text_questions(args.limit)
    if len(questions) < args.limit:
        problems.append(f"only {len(questions)} questions with plain-text documents")
    for q in questions:
        docs = [os.path.join(SUITE, "documents", d) for d in q["documents"]]
        answer = ask(args, model, docs, q["question"])
        citations += check_answer(answer, docs, problems, q["id"])
        abstained += answer["abstained"]
        print(f"{q['id']}: {answer['answer'][:100]!r}")
    # Nothing in the document shares a word with this question: retrieval abstains.
    doc = os.path.join(SUITE, "documents", "train_timetable.txt")
    off_topic = ask(args, model, [doc], "What is the warranty on the espresso grinder burrs?")
    if not off_topic["abstained"] or off_topic.get("raw"):
        problems.append(f"off-topic question answered: {off_topic}")
    print(f"{len(questions)} questions, {citations} citations checked, {abstained} abstentions")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
