#!/usr/bin/env python3
"""Validate the flash grounded-answer evaluation suite (data/eval/grounded/).

Usage: check_dataset.py [DATA_DIR]   (default: <repo>/data/eval/grounded)

DATA_DIR holds questions.jsonl and documents/. Exits 1 and lists every problem
found (file:line: reason); on success prints the counts. Python 3 stdlib only.
"""
import collections
import json
import os
import re
import sys
from html.parser import HTMLParser

MIN_QUESTIONS = 160
MIN_UNANSWERABLE = 55
MIN_MULTI_SUPPORT = 20
MIN_USES_PER_DOCUMENT = 3
DOC_WORDS = (150, 500)
DOC_FORMATS = (".md", ".txt", ".html")
ID_RE = re.compile(r"^g\d{3,}$")
REQUIRED = ("id", "question", "documents", "answerable", "answers", "support")
OPTIONAL = ("why", "computed")
WS = re.compile(r"\s+")

# Tags whose start or end breaks the text into units (paragraphs, list items,
# headings, table rows); table cells are separated by a space within their row.
# Inline tags (<b>, <a>, <code>...) do neither.
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div",
    "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "table", "tbody", "tfoot", "thead", "title", "tr", "ul",
}
CELL_TAGS = {"td", "th"}
HIDDEN_TAGS = {"script", "style", "template", "noscript"}


def collapse(text):
    """Collapse every run of whitespace to one space and strip the ends."""
    return WS.sub(" ", text).strip()


# Markers that open a Markdown/plain-text line but are not part of its text.
LINE_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
# A sentence ends with . ! ? or : optionally followed by a closing quote/bracket.
SENTENCE_END = re.compile(r"[.!?:][\"')\]]*$")


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page as units: one per block element (paragraph,
    list item, heading...) and one per table row, whose cells are joined by a
    space. Script/style are dropped; entities are decoded by the parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        elif tag in CELL_TAGS:
            self.parts.append(" ")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in CELL_TAGS:
            self.parts.append(" ")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            # Inside one element a newline is plain whitespace, not a break.
            self.parts.append(WS.sub(" ", data))


def html_units(source):
    p = _TextExtractor()
    p.feed(source)
    p.close()
    return [u for u in (collapse(x) for x in "".join(p.parts).split("\n")) if u]


def text_units(source):
    """Markdown/plain text: one unit per line, list/heading markers removed."""
    units = []
    for line in source.splitlines():
        line = collapse(LINE_MARKER.sub("", line))
        if line:
            units.append(line)
    return units


def document_units(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    return html_units(raw) if path.endswith(".html") else text_units(raw)


class Document:
    """The text a quote is compared with: all units joined by one space
    (so whitespace is collapsed everywhere), plus where each unit starts/ends."""

    def __init__(self, path):
        self.units = document_units(path)
        self.text = " ".join(self.units)
        self.starts, self.ends, pos = set(), set(), 0
        for u in self.units:
            self.starts.add(pos)
            self.ends.add(pos + len(u))
            pos += len(u) + 1

    def find(self, quote):
        """'ok' when the quote occurs verbatim and spans whole sentences: it
        begins a line/list item/table row/paragraph or follows a sentence end,
        and it ends one or ends with sentence punctuation before a space.
        'partial' when it only occurs cut out of a sentence; else 'missing'."""
        text, start = self.text, self.text.find(quote)
        while start != -1:
            end = start + len(quote)
            begins = start in self.starts or (
                text[start - 1] == " " and SENTENCE_END.search(text[:start - 1]) is not None)
            ends = end in self.ends or (text[end] == " " and SENTENCE_END.search(quote) is not None)
            if begins and ends:
                return "ok"
            start = text.find(quote, start + 1)
        return "partial" if quote in text else "missing"


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    data_dir = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "data", "eval", "grounded")
    data_dir = os.path.normpath(data_dir)
    doc_dir = os.path.join(data_dir, "documents")
    qpath = os.path.join(data_dir, "questions.jsonl")
    errors = []

    if not os.path.isdir(doc_dir) or not os.path.isfile(qpath):
        print("missing %s or %s" % (doc_dir, qpath), file=sys.stderr)
        return 1

    texts = {}  # name -> Document
    for name in sorted(os.listdir(doc_dir)):
        path = os.path.join(doc_dir, name)
        if not os.path.isfile(path):
            continue
        if not name.endswith(DOC_FORMATS):
            errors.append("%s: unexpected document format" % path)
            continue
        try:
            texts[name] = Document(path)
        except (UnicodeDecodeError, OSError) as e:
            errors.append("%s: cannot read: %s" % (path, e))
            continue
        words = len(texts[name].text.split())
        if not DOC_WORDS[0] <= words <= DOC_WORDS[1]:
            errors.append("%s: %d words of text, expected %d-%d" % (path, words, *DOC_WORDS))

    ids = {}
    uses = collections.Counter()
    support_uses = collections.Counter()
    n = n_ans = n_unans = n_multi = n_computed = 0

    with open(qpath, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        where = "%s:%d" % (qpath, lineno)

        def err(msg):
            errors.append("%s: %s" % (where, msg))

        if not line.strip():
            err("empty line")
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            err("invalid JSON: %s" % e)
            continue
        if not isinstance(q, dict):
            err("not a JSON object")
            continue
        missing = [k for k in REQUIRED if k not in q]
        if missing:
            err("missing keys: %s" % ", ".join(missing))
            continue
        extra = [k for k in q if k not in REQUIRED + OPTIONAL]
        if extra:
            err("unknown keys: %s" % ", ".join(extra))
        n += 1
        qid = q["id"]
        if not isinstance(qid, str) or not ID_RE.match(qid):
            err("id %r is not like g001" % (qid,))
        elif qid in ids:
            err("duplicate id %s (first on line %d)" % (qid, ids[qid]))
        else:
            ids[qid] = lineno
        if not isinstance(q["question"], str) or not q["question"].strip():
            err("question is empty")

        docs = q["documents"]
        if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
            err("documents must be a non-empty list of file names")
            docs = []
        if len(set(docs)) != len(docs):
            err("documents lists a file twice")
        for d in docs:
            if d not in texts:
                err("document %r does not exist in %s" % (d, doc_dir))
            uses[d] += 1

        answers, support = q["answers"], q["support"]
        if not isinstance(answers, list) or not all(isinstance(a, str) and a.strip() for a in answers):
            err("answers must be a list of non-empty strings")
            answers = []
        if not isinstance(support, list):
            err("support must be a list")
            support = []
        if "computed" in q and not isinstance(q["computed"], bool):
            err("computed must be true or false")

        if q["answerable"] is True:
            n_ans += 1
            if not answers:
                err("answerable question without answers")
            if not support:
                err("answerable question without support")
            if "why" in q:
                err("answerable question has a 'why'")
            quotes = []
            for i, s in enumerate(support):
                if not isinstance(s, dict) or set(s) != {"document", "quote"}:
                    err("support[%d] must be {\"document\", \"quote\"}" % i)
                    continue
                d, quote = s["document"], s["quote"]
                if not isinstance(quote, str) or not quote.strip():
                    err("support[%d] has an empty quote" % i)
                    continue
                if d not in docs:
                    err("support[%d] document %r is not among the question's documents" % (i, d))
                if d not in texts:
                    err("support[%d] document %r does not exist" % (i, d))
                    continue
                support_uses[d] += 1
                cq = collapse(quote)
                if cq != quote:
                    err("support[%d] quote has extra whitespace" % i)
                found = texts[d].find(cq)
                if found == "missing":
                    err("support[%d] quote not found verbatim in %s: %r" % (i, d, quote))
                elif found == "partial":
                    err("support[%d] quote is not a whole sentence/list item/row of %s: %r" % (i, d, quote))
                quotes.append(cq)
            if len({(s.get("document"), s.get("quote")) for s in support if isinstance(s, dict)}) != len(support):
                err("duplicate support entries")
            if len(support) >= 2:
                n_multi += 1
            if q.get("computed"):
                n_computed += 1
            else:
                joined = " ".join(quotes).casefold()
                if answers and quotes and not any(a.casefold() in joined for a in answers):
                    err("no answer string occurs in the support quotes (mark \"computed\": true if it needs arithmetic)")
        elif q["answerable"] is False:
            n_unans += 1
            if answers:
                err("unanswerable question has answers")
            if support:
                err("unanswerable question has support")
            if q.get("computed"):
                err("unanswerable question is marked computed")
            why = q.get("why")
            if not isinstance(why, str) or not why.strip():
                err("unanswerable question without a 'why'")
            elif "\n" in why:
                err("'why' must be one line")
        else:
            err("answerable must be true or false")

    where = qpath
    if n < MIN_QUESTIONS:
        errors.append("%s: %d questions, need at least %d" % (where, n, MIN_QUESTIONS))
    if n_unans < MIN_UNANSWERABLE:
        errors.append("%s: %d unanswerable questions, need at least %d" % (where, n_unans, MIN_UNANSWERABLE))
    if n_multi < MIN_MULTI_SUPPORT:
        errors.append("%s: %d questions with two or more support sentences, need at least %d"
                      % (where, n_multi, MIN_MULTI_SUPPORT))
    for name in sorted(texts):
        if uses[name] < MIN_USES_PER_DOCUMENT:
            errors.append("%s: used by %d questions, need at least %d"
                          % (os.path.join(doc_dir, name), uses[name], MIN_USES_PER_DOCUMENT))
        if support_uses[name] == 0:
            errors.append("%s: never used as support" % os.path.join(doc_dir, name))

    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print("%d problem(s) found" % len(errors), file=sys.stderr)
        return 1

    formats = collections.Counter(os.path.splitext(name)[1] for name in texts)
    n_docs_per_q = sum(uses.values()) / n if n else 0
    print("questions:      %d" % n)
    print("answerable:     %d" % n_ans)
    print("unanswerable:   %d" % n_unans)
    print("two-sentence:   %d (support with 2+ sentences; %d marked computed)" % (n_multi, n_computed))
    print("documents:      %d (%s)" % (len(texts), ", ".join("%s %d" % (k, formats[k]) for k in DOC_FORMATS)))
    print("docs/question:  %.2f on average" % n_docs_per_q)
    print("uses/document:  min %d, max %d" % (min(uses[t] for t in texts), max(uses[t] for t in texts)))
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
