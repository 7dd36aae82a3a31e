#!/usr/bin/env python3
"""`flash serve` held to docs/SERVER.md with the official `openai` Python client, on the real
SmolLM2-135M-Instruct: models, chat (plain, streaming, seeded sampling, stop), tools (auto,
none, required, named, parallel off, streamed, a follow-up turn), structured output
(json_schema strict, json_object), logprobs, legacy completions, the errors a client sees
(unknown field, n=2, bad tool_choice, an unenforceable schema, a wrong API key, a prompt over
the context), grounded answers with code-point citations, and /metrics.

Usage: openai_client_test.py --flash BIN --model-env FLASH_SMOLLM2 [-k NAME] [--server-arg ARG]
Exit status 0 when every test passed, 1 otherwise (also when the model is not there)."""
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_harness import (Failure, check, metric_total, parse_test_args,  # noqa: E402
                            parse_prometheus, report, run_group)

import openai  # noqa: E402
from jsonschema import Draft202012Validator, FormatChecker  # noqa: E402

MAX_TOKENS = 32

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
            "additionalProperties": False,
        },
    },
}
SEARCH = {
    "type": "function",
    "function": {
        "name": "search_web",
        "description": "Search the web and return the top results.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "max_results": {"type": "integer", "minimum": 1, "maximum": 10},
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    },
}
TOOLS = [WEATHER, SEARCH]
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
WEATHER_Q = [{"role": "user", "content": "What is the weather like in Paris today, in celsius?"}]
TWO_CITIES_Q = [{"role": "user",
                 "content": "What is the weather in Paris and in Tokyo? Use celsius for both."}]

# A document whose answer follows characters outside ASCII (one astral), so that offsets in
# bytes or UTF-16 units would not select the cited text.
DOC_TEXT = ("Café Lumière — Staff Handbook ☕🍰\n\n"
            "Opening hours: the café opens at 7:30 and closes at 19:00 on weekdays.\n\n"
            "Sick leave: employees may take up to 10 paid sick days per year. A doctor's note "
            "is required for absences longer than 3 consecutive working days.\n\n"
            "Uniforms: aprons are provided; staff wash them at home.\n")
DOC_QUESTIONS = ["How many paid sick days do employees get per year?",
                 "When does the café open on weekdays?"]
OFF_TOPIC = "What is the airspeed velocity of an unladen swallow over the Andes?"


def validate(schema, value, what):
    errors = sorted(Draft202012Validator(schema, format_checker=FormatChecker())
                    .iter_errors(value), key=str)
    check(not errors, f"{what}: {value!r} does not validate: {errors[0].message if errors else ''}")


def check_calls(calls, what, allowed=None):
    check(calls, f"{what}: no tool_calls")
    ids = set()
    for c in calls:
        check(c.type == "function", f"{what}: call type {c.type!r}")
        check(c.id and c.id not in ids, f"{what}: call id {c.id!r} empty or repeated")
        ids.add(c.id)
        name = c.function.name
        check(name in (allowed or SCHEMAS), f"{what}: call names {name!r}, not an offered tool")
        check(isinstance(c.function.arguments, str), f"{what}: arguments not a JSON string")
        try:
            args = json.loads(c.function.arguments)
        except ValueError as e:
            raise Failure(f"{what}: arguments {c.function.arguments!r} not JSON: {e}") from None
        validate(SCHEMAS[name], args, f"{what}: {name} arguments")


def check_usage(u, max_tokens, what):
    check(u is not None, f"{what}: no usage")
    check(u.prompt_tokens > 0, f"{what}: prompt_tokens {u.prompt_tokens}")
    check(u.total_tokens == u.prompt_tokens + u.completion_tokens,
          f"{what}: total {u.total_tokens} != prompt {u.prompt_tokens} + completion "
          f"{u.completion_tokens}")
    check(0 <= u.completion_tokens <= max_tokens,
          f"{what}: completion_tokens {u.completion_tokens} > max_tokens {max_tokens}")


def stream_chat(client, **kw):
    """A streaming chat call: (chunks, content, reassembled tool calls by index)."""
    chunks = list(client.chat.completions.create(stream=True, **kw))
    content, calls = "", {}
    for ch in chunks:
        check(ch.object == "chat.completion.chunk", f"chunk object {ch.object!r}")
        for choice in ch.choices:
            d = choice.delta
            if d.content:
                content += d.content
            for tc in d.tool_calls or []:
                slot = calls.setdefault(tc.index, {"id": None, "type": None, "name": "",
                                                   "arguments": ""})
                if tc.id:
                    check(slot["id"] in (None, tc.id), f"call {tc.index} changes id")
                    slot["id"] = tc.id
                if tc.type:
                    slot["type"] = tc.type
                if tc.function is not None:
                    slot["name"] += tc.function.name or ""
                    slot["arguments"] += tc.function.arguments or ""
    return chunks, content, calls


class _Call:
    """A reassembled streamed call, shaped like the client's ChatCompletionMessageToolCall."""

    def __init__(self, d):
        self.id, self.type = d["id"], d["type"]
        self.function = type("F", (), {"name": d["name"], "arguments": d["arguments"]})()


def finish_reasons(chunks):
    return [c.finish_reason for ch in chunks for c in ch.choices if c.finish_reason]


# ---------------------------------------------------------------- tests on the main server

def test_models_list(t):
    models = t.client.models.list()
    ids = [m.id for m in models.data]
    check(len(ids) == 1, f"models.list() returned {ids}, expected the one served model")
    m = models.data[0]
    check(m.object == "model", f"object {m.object!r}")
    check(m.owned_by == "flash", f"owned_by {m.owned_by!r}")
    check(isinstance(m.created, int), f"created {m.created!r}")
    t.model_id = m.id
    # flash's own field: whether /v1/answers may go without documents (no --index here).
    status, _, body = t.srv.request("GET", "/v1/models")
    check(status == 200 and body.get("index") is False and "index_documents" not in body,
          f"without --index /v1/models should say \"index\": false: {status} {body!r}")


def test_chat_plain(t):
    r = t.client.chat.completions.create(
        model="anything", max_tokens=MAX_TOKENS,
        messages=[{"role": "system", "content": "You are a helpful assistant."},
                  {"role": "user", "content": "What is the capital of France?"}])
    check(r.object == "chat.completion", f"object {r.object!r}")
    check(r.id, "empty id")
    check(r.model == t.model_id, f"response model {r.model!r}, served {t.model_id!r}")
    check(len(r.choices) == 1, f"{len(r.choices)} choices")
    c = r.choices[0]
    check(c.index == 0, f"choice index {c.index}")
    check(c.message.role == "assistant", f"role {c.message.role!r}")
    check(isinstance(c.message.content, str) and c.message.content.strip(),
          f"empty content {c.message.content!r}")
    check(not c.message.tool_calls, f"tool_calls without tools: {c.message.tool_calls}")
    check(c.finish_reason in ("stop", "length"), f"finish_reason {c.finish_reason!r}")
    check_usage(r.usage, MAX_TOKENS, "usage")
    if c.finish_reason == "length":
        check(r.usage.completion_tokens == MAX_TOKENS,
              f"finish_reason length after {r.usage.completion_tokens} of {MAX_TOKENS} tokens")
    d = r.usage.prompt_tokens_details
    check(d is not None and isinstance(d.cached_tokens, int) and
          0 <= d.cached_tokens <= r.usage.prompt_tokens,
          f"prompt_tokens_details.cached_tokens {d!r}")


def test_chat_length_and_max_completion_tokens(t):
    msgs = [{"role": "user", "content": "Write a long story about a dragon and a knight."}]
    r = t.client.chat.completions.create(model="m", messages=msgs, max_completion_tokens=5,
                                         temperature=0)
    check(r.usage.completion_tokens <= 5, f"max_completion_tokens 5: {r.usage}")
    check(r.choices[0].finish_reason == "length" or r.usage.completion_tokens < 5,
          f"finish_reason {r.choices[0].finish_reason!r} at {r.usage.completion_tokens} tokens")
    r = t.client.chat.completions.create(model="m", messages=msgs, max_tokens=3, temperature=0)
    check(r.usage.completion_tokens <= 3, f"max_tokens 3: {r.usage}")


def test_chat_content_parts_and_developer(t):
    r = t.client.chat.completions.create(
        model="m", max_tokens=16, temperature=0,
        messages=[{"role": "developer", "content": "Answer briefly."},
                  {"role": "user", "content": [{"type": "text", "text": "Name a colour "},
                                               {"type": "text", "text": "of the sky."}]}])
    check(r.choices[0].message.content.strip(), "empty content")
    check_usage(r.usage, 16, "usage")


def greedy(t, messages, max_tokens=MAX_TOKENS, **kw):
    return t.client.chat.completions.create(model="m", messages=messages, max_tokens=max_tokens,
                                            temperature=0, **kw)


def test_chat_greedy_repeatable(t):
    msgs = [{"role": "user", "content": "List three fruits."}]
    a = greedy(t, msgs).choices[0].message.content
    b = greedy(t, msgs).choices[0].message.content
    check(a == b, f"temperature 0 gave two texts:\n{a!r}\n{b!r}")


def test_chat_stream_matches_non_stream(t):
    msgs = [{"role": "user", "content": "Tell me a short fact about the Moon."}]
    ref = greedy(t, msgs)
    chunks, content, calls = stream_chat(t.client, model="m", messages=msgs,
                                         max_tokens=MAX_TOKENS, temperature=0,
                                         stream_options={"include_usage": True})
    check(chunks, "no chunks")
    check(len({ch.id for ch in chunks}) == 1, f"chunk ids differ: {[ch.id for ch in chunks]}")
    first = next((ch for ch in chunks if ch.choices), None)
    check(first is not None and first.choices[0].delta.role == "assistant",
          f"first delta has no role: {first}")
    check(content == ref.choices[0].message.content,
          f"streamed text differs from the non-streaming one:\n{content!r}\n"
          f"{ref.choices[0].message.content!r}")
    check(not calls, f"tool call deltas without tools: {calls}")
    fr = finish_reasons(chunks)
    check(fr == [ref.choices[0].finish_reason],
          f"finish reasons {fr}, non-streaming {ref.choices[0].finish_reason!r}")
    last = chunks[-1]
    check(last.choices == [] and last.usage is not None,
          f"last chunk is not a usage chunk with empty choices: {last}")
    check_usage(last.usage, MAX_TOKENS, "stream usage")
    check(last.usage.completion_tokens == ref.usage.completion_tokens and
          last.usage.prompt_tokens == ref.usage.prompt_tokens,
          f"stream usage {last.usage} vs non-streaming {ref.usage}")
    for ch in chunks[:-1]:
        check(ch.usage is None, f"usage on a chunk before the last: {ch}")


def test_chat_stream_without_usage(t):
    chunks, content, _ = stream_chat(t.client, model="m", max_tokens=8,
                                     messages=[{"role": "user", "content": "Say hello."}])
    check(content, "empty streamed content")
    check(all(ch.usage is None for ch in chunks), "usage chunk sent without include_usage")
    check(len(finish_reasons(chunks)) == 1, f"finish reasons {finish_reasons(chunks)}")


def test_chat_seeded_sampling_repeatable(t):
    msgs = [{"role": "user", "content": "Write one sentence about cats."}]
    kw = dict(model="m", messages=msgs, max_tokens=MAX_TOKENS, temperature=0.8, seed=1234)
    a = t.client.chat.completions.create(**kw).choices[0].message.content
    b = t.client.chat.completions.create(**kw).choices[0].message.content
    check(a == b, f"seed 1234 at temperature 0.8 gave two texts:\n{a!r}\n{b!r}")
    kw["stream"] = True
    s = "".join(ch.choices[0].delta.content or ""
                for ch in t.client.chat.completions.create(**kw) if ch.choices)
    check(s == a, f"the same seed streamed another text:\n{s!r}\n{a!r}")


def test_chat_stop(t):
    msgs = [{"role": "user", "content": "Describe a sunny day in the park."}]
    ref = greedy(t, msgs).choices[0].message.content
    check(len(ref) >= 12, f"reference too short to pick a stop string: {ref!r}")
    # A few characters from the middle, first found past the start: the text must end there.
    k = len(ref) // 2
    stop = ref[k:k + 4]
    pos = ref.find(stop)
    check(pos > 0, f"stop {stop!r} found at {pos} in {ref!r}")
    r = greedy(t, msgs, stop=[stop, "\u0000never"])
    got = r.choices[0].message.content
    check(got == ref[:pos], f"stop {stop!r}: content {got!r}, expected {ref[:pos]!r}")
    check(r.choices[0].finish_reason == "stop", f"finish_reason {r.choices[0].finish_reason!r}")
    s = "".join(ch.choices[0].delta.content or "" for ch in t.client.chat.completions.create(
        model="m", messages=msgs, max_tokens=MAX_TOKENS, temperature=0, stop=stop,
        stream=True) if ch.choices)
    check(s == ref[:pos], f"streamed with stop {stop!r}: {s!r}, expected {ref[:pos]!r}")


def test_prefix_cache_next_turn(t):
    system = {"role": "system", "content": "You are a cheerful assistant who answers briefly "
                                           "and always mentions the weather."}
    first = [system, {"role": "user", "content": "What should I eat for breakfast?"}]
    a = greedy(t, first, max_tokens=16)
    turn = first + [{"role": "assistant", "content": a.choices[0].message.content},
                    {"role": "user", "content": "And for lunch?"}]
    b = greedy(t, turn, max_tokens=8)
    cached = b.usage.prompt_tokens_details.cached_tokens
    check(cached > 0, f"the next turn reused no cached tokens: {b.usage}")
    check(cached <= b.usage.prompt_tokens, f"cached {cached} > prompt {b.usage.prompt_tokens}")
    check(cached >= a.usage.prompt_tokens // 2,
          f"the next turn reused {cached} tokens of the first turn's {a.usage.prompt_tokens}")


def test_concurrent_greedy_matches_sequential(t):
    """Continuous batching must not change what a request gets beyond float rounding: greedy
    outputs of four requests decoded together equal the same requests one at a time, or part
    only at a tie, where the two best tokens' logprobs are within TIE of each other in both
    runs. (A step of several rows goes through other kernels than a row alone, tiles or a GEMM
    instead of fused dot products, so logits agree to float rounding, not bit for bit.)"""
    import threading
    TIE = 0.01
    prompts = ["Name three rivers.", "What is 2 + 2?", "Describe a cat in one sentence.",
               "Give me a word that rhymes with moon."]
    msgs = [[{"role": "user", "content": p}] for p in prompts]

    def run(m):
        return greedy(t, m, max_tokens=24, logprobs=True, top_logprobs=2).choices[0]

    alone = [run(m) for m in msgs]
    together = [None] * len(msgs)
    barrier = threading.Barrier(len(msgs))

    def one(i):
        barrier.wait()
        together[i] = run(msgs[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(msgs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()

    def gap(tok):  # logprob distance between the best and the second-best token
        tops = [x.logprob for x in tok.top_logprobs]
        return tops[0] - tops[1] if len(tops) > 1 else float("inf")

    bad = []
    for p, a, b in zip(prompts, alone, together):
        if a.message.content == b.message.content:
            continue
        at, bt = a.logprobs.content, b.logprobs.content
        k = next((i for i, (x, y) in enumerate(zip(at, bt)) if x.token != y.token),
                 min(len(at), len(bt)))
        tie = k < len(at) and k < len(bt) and gap(at[k]) < TIE and gap(bt[k]) < TIE
        if not tie:
            bad.append(f"{p!r}: alone {a.message.content!r}, batched {b.message.content!r} "
                       f"(parted at token {k}, not at a tie)")
        else:
            print(f"    note: {p!r} parted at a tie (token {k}: {at[k].token!r} / {bt[k].token!r}, "
                  f"gaps {gap(at[k]):.2g} / {gap(bt[k]):.2g})")
    check(not bad, "greedy output changed when batched with others:\n     " + "\n     ".join(bad))


# ---- tools

def test_tools_required(t):
    r = t.client.chat.completions.create(model="m", messages=WEATHER_Q, tools=TOOLS,
                                         tool_choice="required", max_tokens=48, temperature=0)
    c = r.choices[0]
    check_calls(c.message.tool_calls, "required")
    check(c.finish_reason == "tool_calls", f"finish_reason {c.finish_reason!r}")
    check_usage(r.usage, 48, "usage")
    t.required_response = r


def test_tools_named(t):
    r = t.client.chat.completions.create(
        model="m", messages=WEATHER_Q, tools=TOOLS, max_tokens=48, temperature=0,
        tool_choice={"type": "function", "function": {"name": "search_web"}})
    calls = r.choices[0].message.tool_calls
    check_calls(calls, "named search_web", allowed={"search_web"})
    check(r.choices[0].finish_reason in ("tool_calls", "stop"),
          f"finish_reason {r.choices[0].finish_reason!r}")


def test_tools_none(t):
    r = t.client.chat.completions.create(model="m", messages=WEATHER_Q, tools=TOOLS,
                                         tool_choice="none", max_tokens=MAX_TOKENS, temperature=0)
    m = r.choices[0].message
    check(not m.tool_calls, f"tool_choice none returned calls {m.tool_calls}")
    check(m.content and m.content.strip(), f"tool_choice none: empty content {m.content!r}")
    check(r.choices[0].finish_reason in ("stop", "length"),
          f"finish_reason {r.choices[0].finish_reason!r}")


def test_tools_auto(t):
    for msgs in (WEATHER_Q, [{"role": "user", "content": "Hi! How are you?"}]):
        r = t.client.chat.completions.create(model="m", messages=msgs, tools=TOOLS,
                                             tool_choice="auto", max_tokens=48, temperature=0)
        m = r.choices[0].message
        if m.tool_calls:
            check_calls(m.tool_calls, "auto")
            check(r.choices[0].finish_reason == "tool_calls",
                  f"calls with finish_reason {r.choices[0].finish_reason!r}")
        else:
            check(m.content and m.content.strip(), "auto: neither content nor calls")
    # tool_choice left out with tools given means auto.
    r = t.client.chat.completions.create(model="m", messages=WEATHER_Q, tools=TOOLS,
                                         max_tokens=48, temperature=0)
    if r.choices[0].message.tool_calls:
        check_calls(r.choices[0].message.tool_calls, "default tool_choice")


def test_tools_parallel_off(t):
    for seed in (1, 2, 3):
        r = t.client.chat.completions.create(model="m", messages=TWO_CITIES_Q, tools=TOOLS,
                                             tool_choice="required", parallel_tool_calls=False,
                                             max_tokens=48, temperature=0.7, seed=seed)
        calls = r.choices[0].message.tool_calls
        check_calls(calls, f"parallel_tool_calls False (seed {seed})")
        check(len(calls) == 1, f"parallel_tool_calls False gave {len(calls)} calls")


def test_tools_stream(t):
    kw = dict(model="m", messages=WEATHER_Q, tools=TOOLS, tool_choice="required",
              max_tokens=48, temperature=0)
    ref = t.client.chat.completions.create(**kw).choices[0].message.tool_calls
    chunks, content, calls = stream_chat(t.client, **kw)
    check(calls, "no tool call deltas")
    check(sorted(calls) == list(range(len(calls))), f"call indexes {sorted(calls)}")
    streamed = [_Call(calls[i]) for i in sorted(calls)]
    check_calls(streamed, "streamed required")
    check(finish_reasons(chunks) == ["tool_calls"], f"finish reasons {finish_reasons(chunks)}")
    check([(c.function.name, json.loads(c.function.arguments)) for c in streamed] ==
          [(c.function.name, json.loads(c.function.arguments)) for c in ref],
          f"streamed calls {[(c.function.name, c.function.arguments) for c in streamed]} differ "
          f"from non-streaming {[(c.function.name, c.function.arguments) for c in ref]}")


def test_tools_follow_up_turn(t):
    first = t.client.chat.completions.create(model="m", messages=WEATHER_Q, tools=TOOLS,
                                             tool_choice={"type": "function",
                                                          "function": {"name": "get_weather"}},
                                             max_tokens=48, temperature=0)
    msg = first.choices[0].message
    check_calls(msg.tool_calls, "first turn")
    call = msg.tool_calls[0]
    result = json.dumps({"temperature": 18, "unit": "celsius", "sky": "sunny"})
    # As hand-written dicts, content null as OpenAI's own examples send it.
    history = WEATHER_Q + [
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": call.id, "type": "function",
                         "function": {"name": call.function.name,
                                      "arguments": call.function.arguments}}]},
        {"role": "tool", "tool_call_id": call.id, "content": result},
    ]
    r = t.client.chat.completions.create(model="m", messages=history, tools=TOOLS,
                                         max_tokens=MAX_TOKENS, temperature=0)
    m = r.choices[0].message
    if m.tool_calls:
        check_calls(m.tool_calls, "follow-up")
    else:
        check(m.content and m.content.strip(), "follow-up: empty content")
    check(r.usage.prompt_tokens > first.usage.prompt_tokens,
          f"follow-up prompt {r.usage.prompt_tokens} tokens, first {first.usage.prompt_tokens}")
    r = t.client.chat.completions.create(model="m", messages=history, tools=TOOLS,
                                         tool_choice="none", max_tokens=MAX_TOKENS,
                                         temperature=0)
    check(r.choices[0].message.content and not r.choices[0].message.tool_calls,
          f"follow-up with tool_choice none: {r.choices[0].message}")
    # As the client's own message object appended back, the usual way to write the loop.
    history2 = WEATHER_Q + [msg, {"role": "tool", "tool_call_id": call.id, "content": result}]
    r = t.client.chat.completions.create(model="m", messages=history2, tools=TOOLS,
                                         tool_choice="none", max_tokens=MAX_TOKENS,
                                         temperature=0)
    check(r.choices[0].message.content, "follow-up with the message object: empty content")


# ---- structured output

ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 24},
        "color": {"type": "string", "enum": ["red", "green", "blue", "yellow"]},
        "count": {"type": "integer", "minimum": 1},
    },
    "required": ["name", "color", "count"],
    "additionalProperties": False,
}


def test_response_format_json_schema(t):
    for temperature, seed in ((0, None), (1.0, 7), (1.0, 8)):
        r = t.client.chat.completions.create(
            model="m", max_tokens=48, temperature=temperature, seed=seed,
            messages=[{"role": "user", "content": "Describe a fruit as JSON."}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "item", "schema": ITEM_SCHEMA,
                                             "strict": True}})
        c = r.choices[0]
        check(c.finish_reason == "stop",
              f"json_schema output cut at {r.usage.completion_tokens} tokens "
              f"({c.finish_reason}): {c.message.content!r}")
        try:
            value = json.loads(c.message.content)
        except ValueError as e:
            raise Failure(f"json_schema content is not JSON: {c.message.content!r}: {e}") from None
        validate(ITEM_SCHEMA, value, f"json_schema (temperature {temperature})")


def test_response_format_json_object(t):
    r = t.client.chat.completions.create(
        model="m", max_tokens=48, temperature=0, response_format={"type": "json_object"},
        messages=[{"role": "user", "content": "Give me a JSON object with a name and an age."}])
    c = r.choices[0]
    check(c.finish_reason == "stop", f"json_object output cut: {c.message.content!r}")
    try:
        value = json.loads(c.message.content)
    except ValueError as e:
        raise Failure(f"json_object content is not JSON: {c.message.content!r}: {e}") from None
    check(isinstance(value, dict), f"json_object content is a {type(value).__name__}")


def test_response_format_text(t):
    r = t.client.chat.completions.create(model="m", max_tokens=8, response_format={"type": "text"},
                                         messages=[{"role": "user", "content": "Say hi."}])
    check(r.choices[0].message.content, "empty content")


def test_logprobs(t):
    r = t.client.chat.completions.create(
        model="m", max_tokens=16, temperature=0, logprobs=True, top_logprobs=3,
        messages=[{"role": "user", "content": "Name a planet."}])
    c = r.choices[0]
    check(c.logprobs is not None and c.logprobs.content, f"no logprobs.content: {c.logprobs}")
    toks = c.logprobs.content
    check(len(toks) == r.usage.completion_tokens,
          f"{len(toks)} logprob entries for {r.usage.completion_tokens} completion tokens")
    for i, tok in enumerate(toks):
        check(tok.logprob <= 0, f"token {i} {tok.token!r}: logprob {tok.logprob} > 0")
        check(len(tok.top_logprobs) == 3, f"token {i}: {len(tok.top_logprobs)} top_logprobs")
        tops = [x.logprob for x in tok.top_logprobs]
        check(all(x <= 0 for x in tops), f"token {i}: top logprobs {tops}")
        check(tops == sorted(tops, reverse=True), f"token {i}: top logprobs not sorted {tops}")
        check(abs(tops[0] - tok.logprob) < 1e-3,
              f"token {i} {tok.token!r}: greedy pick {tok.logprob} is not the top {tops[0]}")
    joined = "".join(tok.token for tok in toks)
    check(joined == c.message.content,
          f"logprob tokens join to {joined!r}, content is {c.message.content!r}")
    # Streamed logprobs ride on the content chunks.
    chunks = list(t.client.chat.completions.create(
        model="m", max_tokens=16, temperature=0, logprobs=True, top_logprobs=2, stream=True,
        messages=[{"role": "user", "content": "Name a planet."}]))
    streamed = [x for ch in chunks for c in ch.choices if c.logprobs and c.logprobs.content
                for x in c.logprobs.content]
    check([x.token for x in streamed] == [x.token for x in toks],
          f"streamed logprob tokens {[x.token for x in streamed]} vs {[x.token for x in toks]}")
    check(all(len(x.top_logprobs) == 2 for x in streamed), "streamed top_logprobs not 2 each")


def test_no_logprobs_unless_asked(t):
    r = t.client.chat.completions.create(model="m", max_tokens=4,
                                         messages=[{"role": "user", "content": "Hi"}])
    check(r.choices[0].logprobs is None, f"logprobs without asking: {r.choices[0].logprobs}")


def test_completions(t):
    kw = dict(model="m", prompt="The three primary colours are", max_tokens=16, temperature=0)
    r = t.client.completions.create(**kw)
    check(r.object == "text_completion", f"object {r.object!r}")
    check(r.model == t.model_id, f"model {r.model!r}")
    c = r.choices[0]
    check(isinstance(c.text, str) and c.text, f"empty text {c.text!r}")
    check(c.finish_reason in ("stop", "length"), f"finish_reason {c.finish_reason!r}")
    check_usage(r.usage, 16, "usage")
    chunks = list(t.client.completions.create(stream=True, **kw))
    s = "".join(ch.choices[0].text for ch in chunks if ch.choices)
    check(s == c.text, f"streamed completion {s!r} differs from {c.text!r}")
    check([ch.choices[0].finish_reason for ch in chunks if ch.choices
           and ch.choices[0].finish_reason] == [c.finish_reason], "stream finish_reason")
    r = t.client.completions.create(stop=["\n"], **kw)
    check("\n" not in r.choices[0].text, f"stop '\\n' in {r.choices[0].text!r}")
    r = t.client.completions.create(logprobs=2, **kw)
    lp = r.choices[0].logprobs
    check(lp is not None and lp.tokens and len(lp.tokens) == len(lp.token_logprobs) ==
          r.usage.completion_tokens, f"completion logprobs {lp}")
    check(all(x <= 0 for x in lp.token_logprobs), f"token_logprobs {lp.token_logprobs}")
    check(lp.top_logprobs and all(len(d) == 2 for d in lp.top_logprobs),
          f"top_logprobs {lp.top_logprobs}")


# ---- errors through the client

def expect_status(exc_type, fn, what, in_message=None, status=None):
    try:
        fn()
    except exc_type as e:
        if status is not None:
            check(e.status_code == status, f"{what}: status {e.status_code}, expected {status}")
        body = e.body if isinstance(e.body, dict) else {}
        check("message" in body and "type" in body,
              f"{what}: error body is not OpenAI's shape: {e.body!r}")
        if in_message:
            check(in_message in str(body.get("message", "")),
                  f"{what}: message {body.get('message')!r} does not name {in_message!r}")
        return e
    except openai.APIStatusError as e:
        raise Failure(f"{what}: {type(e).__name__} {e.status_code} {e.body!r}, "
                      f"expected {exc_type.__name__}") from None
    raise Failure(f"{what}: succeeded, expected {exc_type.__name__}")


def hi():
    return [{"role": "user", "content": "Hi"}]


def test_error_unknown_field(t):
    e = expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", messages=hi(), max_tokens=4, extra_body={"bogus": 1}), "unknown field",
        in_message="bogus", status=400)
    check(e.body.get("type") == "invalid_request_error", f"type {e.body.get('type')!r}")
    check("Unrecognized request argument supplied" in e.body["message"],
          f"message {e.body['message']!r} is not OpenAI's wording")
    expect_status(openai.BadRequestError, lambda: t.client.completions.create(
        model="m", prompt="Hi", max_tokens=4, extra_body={"bogus2": 1}),
        "unknown field in completions", in_message="bogus2", status=400)


def test_error_n2(t):
    expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", messages=hi(), max_tokens=4, n=2), "n=2", in_message="n", status=400)


def test_error_bad_tool_choice(t):
    expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", messages=WEATHER_Q, tools=TOOLS, max_tokens=4,
        tool_choice={"type": "function", "function": {"name": "launch_rockets"}}),
        "tool_choice names no offered tool", status=400)
    expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", messages=WEATHER_Q, max_tokens=4, tool_choice="required"),
        "tool_choice required without tools", status=400)


UNENFORCEABLE = [
    ("pattern", {"type": "string", "pattern": "(?<=a)b"}),
    ("format", {"type": "string", "format": "idn-hostname"}),
    ("not", {"type": "object", "properties": {"a": {"not": {"type": "string"}}},
             "required": ["a"]}),
    ("$ref", {"$ref": "https://example.com/schemas/thing.json"}),
]


def test_error_unenforceable_schema(t):
    rejected, accepted = [], []
    for keyword, schema in UNENFORCEABLE:
        try:
            r = t.client.chat.completions.create(
                model="m", messages=hi(), max_tokens=16, temperature=0,
                response_format={"type": "json_schema",
                                 "json_schema": {"name": "x", "schema": schema, "strict": True}})
            accepted.append((keyword, r.choices[0].message.content))
        except openai.BadRequestError as e:
            msg = str(e.body.get("message", "")) if isinstance(e.body, dict) else str(e)
            check(keyword in msg, f"schema with {keyword!r} rejected, but the message does not "
                                  f"name the keyword: {msg!r}")
            rejected.append(keyword)
    for keyword, content in accepted:
        print(f"    note: response_format with {keyword!r} accepted; output {content!r}")
    check(rejected, f"every unenforceable schema was accepted: {[k for k, _ in accepted]}")
    # One that was accepted must at least have been enforced.
    for keyword, content in accepted:
        schema = dict(UNENFORCEABLE)[keyword]
        check(keyword != "$ref", "a remote $ref was accepted (it cannot be resolved offline)")
        try:
            value = json.loads(content)
        except ValueError:
            raise Failure(f"schema with {keyword!r} accepted and the output is not JSON: "
                          f"{content!r}") from None
        validate(schema, value, f"accepted schema with {keyword!r}")
    # The same in a tool's parameters.
    bad_tool = {"type": "function", "function": {
        "name": "lookup", "parameters": {"type": "object", "properties": {
            "host": {"type": "string", "pattern": "(?<=a)b"}}, "required": ["host"]}}}
    expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", messages=hi(), max_tokens=8, tools=[bad_tool], tool_choice="required"),
        "tool parameters with a lookbehind pattern", in_message="pattern", status=400)


# ---- grounded answers over plain HTTP

def post_json(url, body, headers=None, timeout=300):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def check_answer_shape(body, docs, what):
    check(body.get("object") == "answer", f"{what}: object {body.get('object')!r}")
    check(str(body.get("id", "")).startswith("answer-"), f"{what}: id {body.get('id')!r}")
    a = body.get("answer")
    check(isinstance(a, dict), f"{what}: no answer object: {body}")
    check(isinstance(a.get("abstained"), bool), f"{what}: abstained {a.get('abstained')!r}")
    check(a.get("documents") == [d["title"] for d in docs],
          f"{what}: documents {a.get('documents')!r}")
    return a


def test_answers(t):
    docs = [{"title": "handbook.txt", "text": DOC_TEXT}]
    answered, citations = 0, 0
    for q in DOC_QUESTIONS:
        status, body = post_json(t.srv.v1 + "/answers",
                                 {"question": q, "documents": docs, "max_claims": 3})
        check(status == 200, f"/v1/answers {q!r}: {status} {body}")
        a = check_answer_shape(body, docs, q)
        if a["abstained"]:
            print(f"    note: abstained on {q!r}: {a.get('abstain_reason')!r}")
            check(a["content"] == [], f"{q!r}: abstained with content")
            continue
        answered += 1
        check(a["content"], f"{q!r}: answered with no content")
        for block in a["content"]:
            check(block.get("type") == "text" and block.get("text"), f"{q!r}: block {block}")
            check(block.get("citations"), f"{q!r}: claim without a citation: {block}")
            for c in block["citations"]:
                citations += 1
                check(c.get("type") == "char_location", f"citation type {c.get('type')!r}")
                check(c.get("document_index") == 0 and c.get("document_title") == "handbook.txt",
                      f"citation names another document: {c}")
                s, e = c["start_char_index"], c["end_char_index"]
                check(0 <= s < e <= len(DOC_TEXT), f"offsets {s}..{e} outside the document")
                check(DOC_TEXT[s:e] == c["cited_text"],
                      f"code points [{s}, {e}) select {DOC_TEXT[s:e]!r}, cited_text is "
                      f"{c['cited_text']!r}")
        print(f"    {q!r} -> {a['answer']!r}")
    check(answered, "every in-document question abstained")
    check(citations, "no citations to check")


def test_answers_abstain_off_topic(t):
    docs = [{"title": "handbook.txt", "text": DOC_TEXT}]
    status, body = post_json(t.srv.v1 + "/answers", {"question": OFF_TOPIC, "documents": docs})
    check(status == 200, f"{status} {body}")
    a = check_answer_shape(body, docs, "off-topic")
    check(a["abstained"] is True, f"off-topic question not abstained: {a}")
    check(a.get("content") == [], f"abstention with content {a.get('content')}")
    check(a.get("abstain_reason"), "abstention without abstain_reason")


# ---- metrics

def test_metrics(t):
    before = t.srv.metrics()
    for name in ("flash_requests_total", "flash_generated_tokens_total"):
        check(name in before, f"/metrics lacks {name}: {sorted(before)}")
    r = t.client.chat.completions.create(model="m", messages=hi(), max_tokens=8)
    after = t.srv.metrics()
    for name in ("flash_requests_total", "flash_generated_tokens_total"):
        b, a = metric_total(before, name), metric_total(after, name)
        check(a > b, f"{name} did not increase across a request: {b} -> {a}")
    g = metric_total(after, "flash_generated_tokens_total") - \
        metric_total(before, "flash_generated_tokens_total")
    check(g >= r.usage.completion_tokens,
          f"flash_generated_tokens_total rose by {g} for {r.usage.completion_tokens} tokens")
    status, headers, text = t.srv.request("GET", "/metrics")
    check(headers.get("content-type", "").startswith("text/plain"),
          f"/metrics content-type {headers.get('content-type')!r}")
    parse_prometheus(text)


def test_health_and_page(t):
    status, _, body = t.srv.request("GET", "/health")
    check(status == 200 and body == {"status": "ok"}, f"/health {status} {body!r}")
    status, headers, body = t.srv.request("GET", "/")
    check(status == 200 and "html" in headers.get("content-type", ""),
          f"GET / {status} {headers.get('content-type')!r}")


MAIN_TESTS = [
    test_models_list, test_health_and_page,
    test_chat_plain, test_chat_length_and_max_completion_tokens,
    test_chat_content_parts_and_developer, test_chat_greedy_repeatable,
    test_chat_stream_matches_non_stream, test_chat_stream_without_usage,
    test_chat_seeded_sampling_repeatable, test_chat_stop, test_prefix_cache_next_turn,
    test_concurrent_greedy_matches_sequential,
    test_tools_required, test_tools_named, test_tools_none, test_tools_auto,
    test_tools_parallel_off, test_tools_stream, test_tools_follow_up_turn,
    test_response_format_json_schema, test_response_format_json_object,
    test_response_format_text, test_logprobs, test_no_logprobs_unless_asked, test_completions,
    test_error_unknown_field, test_error_n2, test_error_bad_tool_choice,
    test_error_unenforceable_schema, test_answers, test_answers_abstain_off_topic, test_metrics,
]


# ---------------------------------------------------------------- other servers

def test_api_key(t):
    bad = openai.OpenAI(base_url=t.srv.v1, api_key="wrong", max_retries=0)
    expect_status(openai.AuthenticationError, lambda: bad.models.list(), "wrong key on models",
                  status=401)
    expect_status(openai.AuthenticationError, lambda: bad.chat.completions.create(
        model="m", messages=hi(), max_tokens=4), "wrong key on chat", status=401)
    good = openai.OpenAI(base_url=t.srv.v1, api_key=t.key, max_retries=0)
    check(len(good.models.list().data) == 1, "the right key cannot list models")
    r = good.chat.completions.create(model="m", messages=hi(), max_tokens=4)
    check(r.choices[0].message.content is not None, "the right key: no content")
    status, _, body = t.srv.request("GET", "/health")
    check(status == 200, f"/health without a key: {status} {body!r}")


def test_api_key_corrected_on_the_same_client(t):
    """A 401 for a request with a body, then the key corrected on the same client: its pooled
    keep-alive connection must serve the next request (the server must not leave the 401's
    body unread on a connection it keeps open)."""
    bad = openai.OpenAI(base_url=t.srv.v1, api_key="wrong", max_retries=0)
    expect_status(openai.AuthenticationError, lambda: bad.chat.completions.create(
        model="m", messages=hi(), max_tokens=4), "wrong key on chat", status=401)
    fixed = bad.with_options(api_key=t.key)
    try:
        r = fixed.chat.completions.create(model="m", messages=hi(), max_tokens=4)
    except openai.APIStatusError as e:
        raise Failure(f"after a 401 on the same connection, the right key got {e.status_code} "
                      f"{e.body!r}") from None
    check(r.choices[0].message.content is not None, "after a 401: no content")


def test_prompt_over_context(t):
    long_text = " ".join(f"word{i}" for i in range(400))
    expect_status(openai.BadRequestError, lambda: t.client.chat.completions.create(
        model="m", max_tokens=8, messages=[{"role": "user", "content": long_text}]),
        "prompt over -c 256", status=400)
    expect_status(openai.BadRequestError, lambda: t.client.completions.create(
        model="m", max_tokens=8, prompt=long_text), "completion prompt over -c 256", status=400)
    # A short one still works on the same server afterwards.
    r = t.client.chat.completions.create(model="m", max_tokens=8, messages=hi())
    check(r.choices[0].message.content is not None, "short prompt after the long one failed")


# ---------------------------------------------------------------- runner

def client_setup(key=None):
    def setup(t):
        t.key = key
        t.client = openai.OpenAI(base_url=t.srv.v1, api_key=key or "unused", max_retries=0,
                                 timeout=300)
        t.model_id = t.client.models.list().data[0].id
    return setup


def test_index_named_by_the_environment(t):
    """$FLASH_INDEX names the index when --index is not given, as for `flash index`."""
    status, _, body = t.srv.request("GET", "/v1/models")
    check(status == 200 and body.get("index") is True,
          f"with FLASH_INDEX set /v1/models should say \"index\": true: {status} {body!r}")


def main():
    args, model = parse_test_args(__doc__.split("\n\n")[0], groups=True)
    if model is None:
        return 1
    extra = args.server_arg
    results = []
    run_group("main", args.flash, model, extra, MAIN_TESTS, args.select, results,
              setup=client_setup())
    run_group("api key", args.flash, model, extra + ["--api-key", "sekrit-key"],
              [test_api_key, test_api_key_corrected_on_the_same_client], args.select, results,
              setup=client_setup("sekrit-key"))
    run_group("small context", args.flash, model, extra + ["-c", "256"],
              [test_prompt_over_context], args.select, results, setup=client_setup())
    with tempfile.TemporaryDirectory() as index_dir:
        run_group("index from the environment", args.flash, model, extra,
                  [test_index_named_by_the_environment], args.select, results,
                  setup=client_setup(), env={"FLASH_INDEX": index_dir})
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
