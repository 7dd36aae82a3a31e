#!/usr/bin/env python3
"""Builds data/eval/instruct/prompts.jsonl from tasks.txt (Python 3 stdlib only).

Every request in tasks.txt and every instruction wording below was written by
hand for flash. This script only decides, with a fixed seed, which verifiable
instructions go with which request, picks their arguments so that instructions
in one prompt never contradict each other, and renders the prompt text.

    python3 tests/instruct_data/build_prompts.py      # rewrites prompts.jsonl
    python3 tests/instruct_data/check_dataset.py      # validates it
"""
import collections
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "data", "eval", "instruct", "prompts.jsonl")
SEED = 20240611

# short name -> IFEval-style type name
T = {
    "inc": "keywords:include", "exc": "keywords:exclude", "freq": "keywords:frequency",
    "letf": "keywords:letter_frequency", "lang": "language:response_language",
    "words": "length:words", "sents": "length:sentences", "paras": "length:paragraphs",
    "nth": "length:nth_paragraph_first_word", "ph": "content:placeholders",
    "ps": "content:postscript", "bul": "format:bullet_count", "hl": "format:highlighted_sections",
    "sec": "format:sections", "title": "format:title", "json": "format:json",
    "cons": "format:constrained_response", "two": "combination:two_responses",
    "rep": "combination:repeat_prompt", "start": "startend:start_checker",
    "end": "startend:end_checker", "quot": "startend:quotation", "lower": "case:lowercase",
    "upper": "case:uppercase", "capf": "case:capital_word_frequency", "nocomma": "punctuation:no_comma",
}
ALL = set(T)

# Pairs the generator never puts together. This is stricter than the checker:
# besides real contradictions it avoids pairs whose combined meaning is unclear.
ONLY_WITH = {  # type -> the only types it may be combined with
    "json": {"inc", "exc", "freq", "letf", "lang", "words", "ph", "lower"},
    "cons": {"nocomma", "ps"},
    "two": {"inc", "exc", "freq", "letf", "lang", "ph", "hl", "lower", "upper", "capf", "nocomma"},
    "rep": {"inc", "freq", "words", "bul", "hl", "ps", "end", "ph", "sec"},
    "quot": {"inc", "exc", "freq", "letf", "lang", "words", "sents", "paras", "ph", "ps", "hl",
             "lower", "upper", "capf", "nocomma"},
}
NEVER_WITH = {
    "lang": {"inc", "exc", "freq", "letf", "upper", "capf", "start", "end", "nth", "sec"},
    "start": {"title", "nth"},
    "end": {"ps"},
    "paras": {"nth", "sec"},
    "nth": {"sec", "title"},
    "ps": {"lower"},
    "lower": {"upper", "capf", "sec"},
    "upper": {"capf"},
    "words": {"sents"},
}
BAD = set()
for a, ok in ONLY_WITH.items():
    for b in ALL - ok - {a}:
        BAD.add(frozenset((a, b)))
for a, bs in NEVER_WITH.items():
    for b in bs:
        BAD.add(frozenset((a, b)))

FILLERS = ["very", "really", "just", "basically", "actually", "literally", "amazing",
           "stuff", "honestly", "definitely", "totally", "awesome", "nice", "things",
           "perfect", "great", "lovely", "incredible", "extremely", "absolutely"]

NUMWORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve"]
ORDINALS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth"]
LANGS = {"fr": "French", "es": "Spanish", "de": "German", "it": "Italian",
         "pt": "Portuguese", "en": "English"}

START = {
    "email": ["Dear team", "Hello everyone", "Good morning", "Hi there", "I hope this message finds you well"],
    "letter": ["Dear neighbour", "Dear friend", "To whom it may concern", "Dear reader"],
    "story": ["Once upon a time", "It was raining", "Nobody expected", "On a quiet morning"],
    "poem": ["In the quiet", "Beneath the", "When the morning"],
    "speech": ["Good evening everyone", "Thank you all for coming", "Friends and neighbours"],
    "product": ["Meet the", "Introducing", "Say hello to"],
    "recipe": ["Here is", "Start by", "This recipe"],
    "dialogue": ["Customer:", "Alex:", "Sam:"],
    "*": ["Here is", "Sure thing", "Great question", "In short", "Let me explain", "To begin"],
}
END = {
    "email": ["Best wishes", "Looking forward to hearing from you.", "Thank you in advance."],
    "letter": ["With warm regards", "Yours sincerely", "Thank you for reading."],
    "story": ["The end.", "And that was only the beginning.", "They never forgot that day."],
    "poem": ["and the night stays still.", "and all is calm again."],
    "recipe": ["Enjoy your meal!", "Happy cooking!"],
    "speech": ["Thank you all.", "Let us raise our glasses."],
    "product": ["Order yours today.", "Try it for yourself."],
    "*": ["Is there anything else I can help with?", "Let me know if you have any other questions.",
          "I hope this helps.", "Thanks for reading.", "That is all for now."],
}
NTH_WORDS = {
    "first": ["today", "imagine", "recently", "first"],
    "middle": ["however", "next", "meanwhile", "also", "second", "then", "additionally"],
    "last": ["finally", "overall", "ultimately", "lastly", "together"],
}
LETTERS_AT_LEAST = [("b", 4, 8), ("w", 5, 10), ("k", 3, 6), ("y", 5, 10), ("p", 5, 10),
                    ("g", 5, 10), ("m", 5, 10), ("c", 6, 12), ("f", 4, 8), ("v", 3, 5)]
LETTERS_LESS = [("z", 2, 5), ("q", 2, 4), ("x", 2, 5), ("j", 2, 4)]

# ----------------------------------------------------------------- wordings
W = {
    "inc": ["Make sure to include {the_words} {kw}.",
            "Your answer must contain {the_kw} {kw}.",
            "Use each of the following words at least once: {kw}.",
            "Please work {the_words} {kw} into your response.",
            "Be sure that {the_words} {kw} appear somewhere in the text.",
            "Include {the_kw} {kw} in your reply."],
    "exc": ["Do not use {the_words} {kw} anywhere in your response.",
            "Avoid {the_words} {kw} entirely.",
            "Don't include {the_words} {kw}.",
            "{The_words} {kw} must not appear in your answer.",
            "Your reply should not contain {the_words} {kw}."],
    "freq_at least": ["Use the word \"{k}\" at least {n} times.",
                      "The word \"{k}\" should appear at least {n} times in your response.",
                      "Mention \"{k}\" no fewer than {n} times.",
                      "Make sure the word \"{k}\" shows up {n} or more times."],
    "freq_less than": ["Use the word \"{k}\" fewer than {n} times.",
                       "The word \"{k}\" should appear less than {n} times.",
                       "Keep the word \"{k}\" to fewer than {n} occurrences.",
                       "Do not repeat \"{k}\" too often: it must appear less than {n} times."],
    "letf_at least": ["The letter \"{l}\" should appear at least {n} times in your response.",
                      "Use the letter \"{l}\" at least {n} times.",
                      "Make sure your answer contains the letter \"{l}\" {n} or more times."],
    "letf_less than": ["The letter \"{l}\" must appear fewer than {n} times.",
                       "Use the letter \"{l}\" less than {n} times in total.",
                       "Keep the letter \"{l}\" rare: fewer than {n} occurrences in the whole reply."],
    "lang": ["Your entire response must be written in {L}; no other language is allowed.",
             "Please respond only in {L}.",
             "Write your whole answer in {L}.",
             "Answer in {L} and use no other language.",
             "The response should be entirely in the {L} language."],
    "words_at least": ["Your response should be at least {n} words long.",
                       "Write at least {n} words.",
                       "Use no fewer than {n} words.",
                       "Make it at least {n} words in length."],
    "words_less than": ["Keep your answer under {n} words.",
                        "Your response must contain fewer than {n} words.",
                        "Use less than {n} words in total.",
                        "The whole reply should be shorter than {n} words."],
    "sents_at least": ["Your response should contain at least {n} sentences.",
                       "Write no fewer than {n} sentences.",
                       "Use at least {n} sentences."],
    "sents_less than": ["Answer in fewer than {n} sentences.",
                        "Use less than {n} sentences.",
                        "Your reply must have fewer than {n} sentences in total."],
    "paras": ["There should be exactly {n} paragraphs, separated from each other by the markdown divider ***.",
              "Write exactly {n} paragraphs and put the markdown divider *** between consecutive paragraphs.",
              "Your response needs exactly {n} paragraphs; separate them using the markdown divider ***.",
              "Split your reply into exactly {n} paragraphs, with *** on its own line between each pair."],
    "nth": ["Write exactly {n} paragraphs, separated from each other by two new lines (a blank line). The {ord} paragraph must start with the word \"{w}\".",
            "Your answer should have exactly {n} paragraphs separated by blank lines (two newline characters), and paragraph {k} must begin with the word \"{w}\".",
            "Use exactly {n} paragraphs with a blank line between each; begin the {ord} paragraph with the word \"{w}\"."],
    "ph": ["Include at least {n} placeholders in square brackets, such as [{ex}].",
           "The response must contain at least {n} placeholders represented by square brackets, like [{ex}].",
           "Leave at least {n} placeholders in square brackets (for example [{ex}]) for details to be filled in later."],
    "ps": ["At the end of your response, add a postscript starting with \"{m}\".",
           "Please finish with a postscript that begins with \"{m}\".",
           "Add a postscript at the very end, marked with \"{m}\"."],
    "bul": ["Your answer must contain exactly {n} bullet points, using markdown bullets such as \"* {ex}\".",
            "Use exactly {n} markdown bullet points (lines starting with \"- \"), and no other bullets.",
            "Format the main content as exactly {n} bullet points in markdown.",
            "Present it as a list of exactly {n} markdown bullet points."],
    "hl": ["Highlight at least {n} sections of your answer with markdown, for example *{ex}*.",
           "Use markdown to highlight at least {n} parts of the text, like *{ex}*.",
           "Emphasise at least {n} sections by wrapping them in single asterisks, as in *{ex}*."],
    "sec": ["Organise your response into {n} sections, marking the start of each one with \"{S} X\", for example \"{S} 1\".",
            "Your response must have {n} sections. Begin each section with {S} followed by its number, like {S} 1 and {S} 2.",
            "Split the answer into {n} sections labelled {S} 1, {S} 2 and so on."],
    "title": ["Give your response a title wrapped in double angular brackets, such as <<{ex}>>.",
              "Include a title wrapped in double angular brackets, like <<{ex}>>.",
              "Your answer needs a title in double angular brackets, for example <<{ex}>>."],
    "json": ["Wrap your entire output in JSON format. You may use markdown code ticks such as ```.",
             "Format your whole response as JSON (markdown ticks around it are fine).",
             "Return the entire answer as JSON; nothing should appear outside the JSON except optional markdown code ticks."],
    "cons": ["Answer with one of the following options: \"My answer is yes.\", \"My answer is no.\", \"My answer is maybe.\"",
             "Reply with exactly one of these: \"My answer is yes.\", \"My answer is no.\" or \"My answer is maybe.\"",
             "Choose your answer from \"My answer is yes.\", \"My answer is no.\" and \"My answer is maybe.\" and reply with that option."],
    "two": ["Give two different responses, separated by six asterisk symbols like this: ******.",
            "Provide two distinct versions of your answer and separate them with exactly 6 asterisks: ******",
            "I want two different options; put six asterisks (******) between them and nowhere else."],
    "rep": ["Before answering, repeat the request above word for word without any change (only the request, not these instructions), and do not write anything before the repetition.",
            "First copy my request above exactly as written, without changing a single word and without any text before it, then answer it. Do not repeat these extra instructions.",
            "Start by repeating the request above verbatim (leave out these instructions, and say nothing before it); after that, give your answer."],
    "start": ["Begin your response with the exact phrase \"{p}\".",
              "Your reply must start with \"{p}\".",
              "Start your answer with the words \"{p}\"."],
    "end": ["End your response with the exact phrase \"{p}\" and add nothing after it.",
            "Finish your reply with \"{p}\"; no other words should follow.",
            "Your response must conclude with the phrase \"{p}\", with nothing after it."],
    "quot": ["Wrap your entire response in double quotation marks.",
             "Put the whole reply inside double quotes, from the first word to the last.",
             "Enclose your full answer in double quotation marks."],
    "lower": ["Your entire response must be in lowercase letters; no capital letters are allowed.",
              "Write everything in lowercase, without a single capital letter.",
              "Please use only lowercase letters throughout your reply.",
              "Do not use any capital letters at all: the whole response should be lowercase."],
    "upper": ["Your entire response should be in English and written in capital letters only.",
              "Write the whole reply in English using only capital letters.",
              "Use only uppercase English letters throughout; no lowercase letters at all."],
    "capf_at least": ["Include at least {n} words written entirely in capital letters for emphasis.",
                      "Use fully capitalised words (such as NOW) at least {n} times.",
                      "Words in all capital letters should appear at least {n} times in your answer."],
    "capf_less than": ["Use fewer than {n} words that are written entirely in capital letters.",
                       "Words in all capital letters should appear less than {n} times.",
                       "Keep the number of words written fully in capital letters below {n}."],
    "nocomma": ["Do not use any commas in your response.",
                "Avoid commas entirely.",
                "Your answer must not contain a single comma.",
                "Write without using any commas.",
                "Please refrain from using commas anywhere."],
}
PH_EX = ["name", "address", "date", "phone number", "company", "time", "city"]
BUL_EX = ["This is a point", "First point", "Item one"]
HL_EX = ["highlighted section", "key point", "important part"]
TITLE_EX = ["a fresh start", "notes for today", "the short version", "a small story", "morning light"]


class Fail(Exception):
    pass


def num(rng, n):
    return NUMWORDS[n] if n < len(NUMWORDS) and rng.random() < 0.4 else str(n)


def qlist(ws):
    q = ['"%s"' % w for w in ws]
    return q[0] if len(q) == 1 else ", ".join(q[:-1]) + " and " + q[-1]


def words_of(text):
    return set(re.findall(r"[a-z]+", text.lower()))


def load_tasks():
    tasks = []
    with open(os.path.join(HERE, "tasks.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cat, text, kws = line.split("|")
            tasks.append({"cat": cat, "text": text,
                          "kws": [k for k in kws.split(",") if k]})
    return tasks


def casefix(s, case):
    return s.lower() if case == "lower" else s.upper() if case == "upper" else s


def make_args(rng, task, chosen):
    """Return {short: args} and {short: rendered sentence}; raise Fail if impossible."""
    case = "lower" if "lower" in chosen else "upper" if "upper" in chosen else None
    cat, text = task["cat"], task["text"]
    args, say = {}, {}
    required = []      # strings the response is asked to contain
    used_kw = set()    # keywords already claimed by some instruction
    structure = 0      # number of paragraphs/sections/bullets that needs room
    pick = rng.choice

    # phrases first: they constrain words and letters chosen later
    if "start" in chosen:
        p = casefix(pick(START.get(cat, START["*"]) + START["*"][:2]), case)
        args["start"] = {"start_phrase": p}
        say["start"] = pick(W["start"]).format(p=p)
        required.append(p)
    if "end" in chosen:
        p = casefix(pick(END.get(cat, END["*"]) + END["*"][:2]), case)
        args["end"] = {"end_phrase": p}
        say["end"] = pick(W["end"]).format(p=p)
        required.append(p)
    if "title" in chosen:
        say["title"] = pick(W["title"]).format(ex=casefix(pick(TITLE_EX), case))
        args["title"] = {}
    if "ps" in chosen:
        m = pick(["P.S.", "P.S.", "P.P.S"])
        args["ps"] = {"postscript_marker": m}
        say["ps"] = pick(W["ps"]).format(m=m)
        required.append(m)
    if "ph" in chosen:
        n = rng.randint(2, 3)
        args["ph"] = {"num_placeholders": n}
        say["ph"] = pick(W["ph"]).format(n=num(rng, n), ex=casefix(pick(PH_EX), case))
    if "hl" in chosen:
        n = rng.randint(2, 3)
        args["hl"] = {"num_highlights": n}
        say["hl"] = pick(W["hl"]).format(n=num(rng, n), ex=casefix(pick(HL_EX), case))
    if "bul" in chosen:
        n = rng.randint(3, 6)
        structure = max(structure, n)
        args["bul"] = {"num_bullets": n}
        say["bul"] = pick(W["bul"]).format(n=num(rng, n), ex=casefix(pick(BUL_EX), case))
    if "paras" in chosen:
        n = rng.randint(2, 5)
        structure = max(structure, n * 2)
        args["paras"] = {"num_paragraphs": n}
        say["paras"] = pick(W["paras"]).format(n=num(rng, n))
    if "sec" in chosen:
        n = rng.randint(2, 4)
        structure = max(structure, n * 2)
        s = "SECTION" if case == "upper" else pick(["Section", "Section", "SECTION", "Part"])
        args["sec"] = {"section_spliter": s, "num_sections": n}
        say["sec"] = pick(W["sec"]).format(n=num(rng, n), S=s)
    if "nth" in chosen:
        n = rng.randint(2, 5)
        k = rng.randint(1, n)
        if k == 1 and ("quot" in chosen or "rep" in chosen):
            k = 2
        pos = "first" if k == 1 else "last" if k == n else "middle"
        w = pick(NTH_WORDS[pos])
        structure = max(structure, n * 2)
        args["nth"] = {"num_paragraphs": n, "nth_paragraph": k, "first_word": w}
        say["nth"] = pick(W["nth"]).format(n=num(rng, n), k=k, ord=ORDINALS[k], w=w)
        required.append(w)
        used_kw.add(w)
    if "words" in chosen:
        rel = "at least" if "rep" in chosen else pick(["at least", "less than"])
        if rel == "at least":
            top = 60 if cat == "summary" else 150
            n = pick([v for v in (40, 50, 60, 80, 100, 120, 150) if v <= top])
        else:
            opts = [v for v in (50, 60, 80, 100, 120, 150, 200) if v >= 20 * structure + 40]
            if not opts:
                raise Fail("no room for the structure under a word limit")
            n = pick(opts)
        args["words"] = {"relation": rel, "num_words": n}
        say["words"] = pick(W["words_" + rel]).format(n=n)
    if "sents" in chosen:
        rel = pick(["at least", "less than"])
        if rel == "at least":
            n = rng.randint(3, 8)
        else:
            n = rng.randint(max(3, structure + 3), max(8, structure + 4))
        args["sents"] = {"relation": rel, "num_sentences": n}
        say["sents"] = pick(W["sents_" + rel]).format(n=num(rng, n))

    # keywords: topic words, never ones already present in a repeated request
    banned = words_of(text) if "rep" in chosen else set()
    topic = [k for k in task["kws"] if k.lower() not in banned and k.lower() not in used_kw]
    rng.shuffle(topic)
    if "freq" in chosen:
        rel = "at least" if "rep" in chosen else pick(["at least", "at least", "less than"])
        if not topic:
            raise Fail("no keyword for frequency")
        k = topic.pop()
        n = rng.randint(2, 4)
        args["freq"] = {"keyword": k, "relation": rel, "frequency": n}
        say["freq"] = pick(W["freq_" + rel]).format(k=k, n=num(rng, n))
        used_kw.add(k.lower())
        if rel == "at least":
            required += [k] * n
    if "inc" in chosen:
        # prefer words the request does not already contain
        in_text = words_of(text)
        topic.sort(key=lambda k: k.lower() not in in_text)
        m = min(len(topic), pick([1, 2, 2, 3]))
        if m == 0:
            raise Fail("no keyword to include")
        ks = [topic.pop() for _ in range(m)]
        args["inc"] = {"keywords": ks}
        tw = "the word" if m == 1 else "the words"
        say["inc"] = pick(W["inc"]).format(kw=qlist(ks), the_words=tw,
                                           the_kw="the keyword" if m == 1 else "the keywords")
        used_kw |= {k.lower() for k in ks}
        required += ks
    if "exc" in chosen:
        req_words = words_of(" ".join(required))
        pool = [f for f in FILLERS if f not in req_words and f not in used_kw]
        m = pick([1, 2, 2, 3])
        ks = rng.sample(pool, m)
        if topic and rng.random() < 0.25:   # sometimes forbid an obvious topic word
            cand = topic.pop()
            if cand.lower() not in req_words:
                ks[0] = cand
        args["exc"] = {"keywords": ks}
        tw = "the word" if m == 1 else "the words"
        s = pick(W["exc"]).format(kw=qlist(ks), the_words=tw, The_words=tw.capitalize())
        say["exc"] = s
        used_kw |= {k.lower() for k in ks}
    if "letf" in chosen:
        req = " ".join(required).lower()
        rel = pick(["at least", "less than"])
        if rel == "at least":
            l, lo, hi = pick(LETTERS_AT_LEAST)
            n = rng.randint(lo, hi)
        else:
            options = [(l, lo, hi) for (l, lo, hi) in LETTERS_LESS if req.count(l) == 0]
            if not options:
                raise Fail("letter")
            l, lo, hi = pick(options)
            n = rng.randint(lo, hi)
        args["letf"] = {"letter": l, "relation": rel, "frequency": n}
        say["letf"] = pick(W["letf_" + rel]).format(l=l, n=num(rng, n))
    if "capf" in chosen:
        rel = pick(["at least", "less than"])
        n = rng.randint(2, 4) if rel == "at least" else rng.randint(3, 5)
        args["capf"] = {"relation": rel, "frequency": n}
        say["capf"] = pick(W["capf_" + rel]).format(n=num(rng, n))
    if "lang" in chosen:
        opts = ["fr", "es", "de", "it", "pt", "fr", "es", "de", "it", "pt", "en"]
        if case == "lower":
            opts = [o for o in opts if o != "de"]   # German nouns are capitalised
        code = pick(opts)
        args["lang"] = {"language": code}
        say["lang"] = pick(W["lang"]).format(L=LANGS[code])
    for s in ("json", "cons", "two", "quot", "lower", "upper", "nocomma", "rep"):
        if s in chosen:
            args[s] = {}
            say[s] = pick(W[s])
    if "nocomma" in chosen and any("," in r for r in required):
        raise Fail("comma in a required phrase")
    if "rep" in chosen:
        args["rep"] = {"prompt_to_repeat": text}
    return args, say


def compatible(t, chosen, task):
    if task["cat"] == "yesno":
        return t in {"cons", "nocomma", "ps"} and all(frozenset((t, c)) not in BAD for c in chosen)
    if t == "cons":
        return False
    if t == "rep" and task["cat"] == "summary":
        return False
    return all(frozenset((t, c)) not in BAD for c in chosen)


def choose_types(rng, k, task, usage):
    chosen = []
    if task["cat"] == "yesno":
        chosen.append("cons")
    while len(chosen) < k:
        cands = [t for t in sorted(ALL) if t not in chosen and compatible(t, chosen, task)]
        if not cands:
            raise Fail("no compatible type")
        top = max(usage[t] for t in ALL) + 1
        weights = [(top - usage[t]) ** 3 + 0.01 for t in cands]
        chosen.append(rng.choices(cands, weights)[0])
    return chosen


def render(rng, task, chosen, say):
    parts = []
    if "rep" in chosen:
        parts.append(say["rep"])
    rest = [say[s] for s in chosen if s != "rep"]
    rng.shuffle(rest)
    parts += rest
    # merge two short rules into one sentence now and then
    if len(parts) >= 2 and "rep" not in chosen and rng.random() < 0.15 and all(
            len(p) < 70 and p.count(".") == 1 and p.endswith(".") for p in parts[:2]) \
            and not parts[1].startswith("I "):
        a, b = parts[0], parts[1]
        parts[:2] = [a[:-1] + ", and " + b[0].lower() + b[1:]]
    sep = "\n\n" if rng.random() < 0.25 else " "
    return task["text"] + sep + " ".join(parts)


def main():
    rng = random.Random(SEED)
    tasks = load_tasks()
    general = [t for t in tasks if t["cat"] != "yesno"]
    yesno = [t for t in tasks if t["cat"] == "yesno"]
    total = len(tasks)
    n1, n3 = round(0.35 * total), round(0.25 * total)
    yes_counts = [1] * 10 + [2] * (len(yesno) - 10)
    g1 = n1 - yes_counts.count(1)
    g3 = n3
    g2 = len(general) - g1 - g3
    gen_counts = [1] * g1 + [2] * g2 + [3] * g3
    rng.shuffle(gen_counts)
    # three-instruction prompts first so that restrictive types still find room
    jobs = list(zip(general, gen_counts)) + list(zip(yesno, yes_counts))
    rng.shuffle(jobs)
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][1])
    usage = collections.Counter()
    results = [None] * len(jobs)
    for i in order:
        task, k = jobs[i]
        for _ in range(200):
            try:
                chosen = choose_types(rng, k, task, usage)
                args, say = make_args(rng, task, chosen)
                break
            except Fail:
                continue
        else:
            raise SystemExit("could not build a prompt for: " + task["text"])
        usage.update(chosen)
        results[i] = (task, chosen, args, render(rng, task, chosen, say))
    rows = []
    for idx, (task, chosen, args, prompt) in enumerate(results, 1):
        rows.append({"id": "if_%04d" % idx, "prompt": prompt,
                     "instructions": [{"type": T[s], "args": args[s]} for s in chosen]})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote %d prompts to %s" % (len(rows), os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
