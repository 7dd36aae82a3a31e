#!/usr/bin/env python3
"""The web page of `flash serve` in a real browser (headless Chromium through Selenium),
against the real server (started with `--index` over a one-file index) and
SmolLM2-135M-Instruct: the status line and model id; sampling fields empty (the server's
defaults) and sent only once filled in; chat turns streamed over SSE, sent with Enter, the
reply rendered as Markdown; Markdown rendering (headings, lists, code, links) and its
sanitizing (a reply's <script>, onerror and javascript: links stay inert, also through the
streaming path); a forced tool call drawn as a card whose arguments are a key/value table;
the conversation kept across a reload, dropped by "New chat", and corrupt storage ignored;
the Send and Ask buttons aligned with their input boxes; the grounded tab's title
placeholder; a grounded answer whose first citation, clicked, highlights exactly its cited
text in the source (the document has a character outside the BMP before that text, so
UTF-16 and code-point offsets differ), and the server's offsets select that text in Python's
own indexing; a question asked with no documents answered from the server's index, its
citation naming the indexed file and highlighting the cited sentence; no JavaScript console
errors. Screenshots web-chat.png, web-chat-markdown.png, web-grounded.png and
web-grounded-index.png (and web-failure.png, serve.log on failure) go to the artifacts
directory. Prints 'N passed, N failed' (checks) last.

Usage: web_ui_test.py --flash BIN --model-env FLASH_SMOLLM2 [--artifacts DIR]"""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server_harness import parse_test_args  # noqa: E402

# A small policy; 🧳 (U+1F9F3) is two UTF-16 units and one code point.
DOCUMENT = ("Travel policy 🧳 for all employees of Café Nord. "
            "Employees book trains and flights through the company portal. "
            "Travel over $500 must be approved by the finance director. "
            "Receipts must be submitted within 30 days after the trip.")
QUESTION = "Who approves travel over $500?"  # the wording SmolLM2-135M answers (not "Who must …")
# The one file of the server's index: other wording than DOCUMENT, so an answer from the index
# is told apart from one from the pasted document.
INDEX_FILE = "expense-handbook.txt"
INDEX_DOCUMENT = ("Expense handbook of Café Nord.\n\n"
                  "Employees book trains and flights through the company portal. "
                  "Travel over $500 must be approved by the finance director. "
                  "Receipts must be submitted within 30 days after the trip.\n")
# Markdown with each construct the page must render, and what each becomes.
MARKDOWN = ("## Steps\n\n1. Install it\n2. Run `flash serve`\n\n- a point\n- another\n\n"
            "```python\nprint('hi')\n```\n\nSee [the docs](https://example.com/docs).\n")
# A reply that tries to run script in the page, each way a renderer might let it through.
HOSTILE = ("Some **bold** text.\n\n<img src=x onerror=\"window.__xss=1\">\n\n"
           "<script>window.__xss=2</script>\n\n[click](javascript:window.__xss=3) and "
           "<a href=\"javascript:window.__xss=4\">raw</a> <b onmouseover=\"window.__xss=5\">b</b>\n\n"
           "![pic](x.png)\n")
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40}},
                   "required": ["city"], "additionalProperties": False}}}]
LISTENING = re.compile(r"flash serve: listening on http://([^:\s]+):(\d+)")


class Failed(Exception):
    pass


class Server:
    """`flash serve` on a free port; its stderr is kept for the report."""

    def __init__(self, flash, model, extra=()):
        self.log = []
        self.url = None
        self._listening = threading.Event()
        self.proc = subprocess.Popen([flash, "serve", "-m", model, "--port", "0", *extra],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, errors="replace")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            self.log.append(line)
            m = LISTENING.search(line)
            if m and not self.url:
                self.url = f"http://{m.group(1)}:{m.group(2)}"
                self._listening.set()
        self._listening.set()  # exited: stop waiting

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        self._listening.wait(timeout)
        if not self.url:
            raise Failed(f"no 'flash serve: listening on' line (exit {self.proc.poll()}):\n{''.join(self.log)}")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"flash serve exited with {self.proc.returncode}:\n{''.join(self.log)}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise Failed(f"/health not 200 within {timeout} s")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def browser(args):
    opts = webdriver.ChromeOptions()
    opts.binary_location = args.chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The driver's path is given, so Selenium looks nothing up on the network.
    return webdriver.Chrome(options=opts, service=Service(executable_path=args.chromedriver))


def wait_for(driver, what, timeout, script, *script_args):
    """Waits until the script returns a truthy value, and returns it."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(
            lambda d: d.execute_script(script, *script_args))
    except Exception as e:
        raise Failed(f"timed out after {timeout} s waiting for {what}") from e


LAST_ASSISTANT_DONE = """
const all = document.querySelectorAll('#messages .msg.assistant');
const m = all[all.length - 1];
return all.length > arguments[0] && m && m.dataset.done === 'true' && !document.querySelector('#chat-send').disabled
  ? {state: m.dataset.state, text: m.querySelector('.body').textContent,
     error: (m.querySelector('.error-text') || {}).textContent || '', count: all.length} : null;
"""


# Wraps the page's fetch: records each POST's JSON body in window.__requests, and answers the
# next chat request with window.__fakeReply (when set) streamed as the server would, in small
# pieces — so a reply the model would never write goes through the page's real streaming path.
RECORD_FETCH = """
window.__requests = [];
window.__fakeReply = null;
const realFetch = window.fetch.bind(window);
window.fetch = (url, opts = {}) => {
  if (opts.method === 'POST') window.__requests.push({url: String(url), body: JSON.parse(opts.body)});
  if (window.__fakeReply !== null && String(url).endsWith('/v1/chat/completions')) {
    const text = window.__fakeReply;
    window.__fakeReply = null;
    const ev = (o) => 'data: ' + JSON.stringify(o) + '\\n\\n';
    const chunk = (delta, finish) => ev({object: 'chat.completion.chunk',
                                          choices: [{index: 0, delta, finish_reason: finish || null}]});
    const body = chunk({role: 'assistant', content: ''}) +
      text.match(/[\\s\\S]{1,5}/g).map((p) => chunk({content: p})).join('') +
      chunk({}, 'stop') + 'data: [DONE]\\n\\n';
    return Promise.resolve(new Response(body, {status: 200, headers: {'Content-Type': 'text/event-stream'}}));
  }
  return realFetch(url, opts);
};
"""

# What the page's chat shows: per message its role, the HTML tags in its body, its text.
CHAT_VIEW = """
return [...document.querySelectorAll('#messages .msg')].map((m) => ({
  role: m.classList.contains('user') ? 'user' : 'assistant',
  tags: [...m.querySelectorAll('.body *')].map((e) => e.tagName.toLowerCase()),
  text: m.querySelector('.body').textContent,
  cards: [...m.querySelectorAll('.tool-card .tool-name')].map((t) => t.textContent),
  forms: m.querySelectorAll('.tool-reply').length}));
"""

# Whether a rendered body (`box`) is inert: no element that runs or loads anything, no
# javascript: link, no event-handler attribute, and window.__xss never set.
INERT = """
const all = [...box.querySelectorAll('*')];
return {xss: window.__xss === undefined ? null : window.__xss,
        dangerous: all.filter((e) => ['SCRIPT', 'IMG', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'STYLE']
                                      .includes(e.tagName.toUpperCase())).map((e) => e.outerHTML),
        handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).map((e) => e.outerHTML),
        js_links: [...box.querySelectorAll('a')].filter((a) => /^\\s*javascript:/i.test(a.getAttribute('href') || ''))
                                               .map((a) => a.outerHTML),
        text: box.textContent, strong: box.querySelectorAll('strong').length};
"""


def inert(driver, box_js):
    """INERT for the element that the JavaScript expression box_js names."""
    return driver.execute_script(f"const box = {box_js};" + INERT)


LAST_REPLY = "[...document.querySelectorAll('#messages .msg.assistant .body')].pop()"


def last_request(driver, path):
    reqs = driver.execute_script("return window.__requests") or []
    reqs = [r for r in reqs if r["url"].endswith(path)]
    return reqs[-1]["body"] if reqs else None


def aligned(driver, a, b):
    """The bounding rects of two elements, and whether their tops and heights agree to 2 px."""
    r = driver.execute_script("""
        const box = (s) => { const r = document.querySelector(s).getBoundingClientRect();
                             return {top: r.top, height: r.height, bottom: r.bottom}; };
        return [box(arguments[0]), box(arguments[1])];""", a, b)
    ok = abs(r[0]["top"] - r[1]["top"]) <= 2 and abs(r[0]["height"] - r[1]["height"]) <= 2
    return ok, json.dumps({a: r[0], b: r[1]})


def reload(driver):
    """Reloads the page and waits until it has found the server ready again."""
    driver.refresh()
    wait_for(driver, "the page after the reload", 30,
             "return document.querySelector('#status').dataset.state === 'ready'")


def send_chat(driver, text, previous):
    box = driver.find_element(By.ID, "chat-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)  # Enter sends (Shift+Enter would be a new line)
    return wait_for(driver, "the assistant's streamed turn to finish", 180,
                    LAST_ASSISTANT_DONE, previous)


def run(args, server, driver, check):
    driver.get(server.url + "/")
    status = wait_for(driver, "the status line to say ready and name the model", 30, """
        const s = document.querySelector('#status'), m = document.querySelector('#model');
        return s.dataset.state === 'ready' && m.textContent ? [s.textContent, m.textContent] : null;""")
    check("status line says ready and the model id is shown", True, f"{status}")
    with urllib.request.urlopen(server.url + "/v1/models", timeout=10) as r:
        models = json.load(r)
    check("/v1/models says the server has an index, of 1 document",
          models.get("index") is True and models.get("index_documents") == 1, json.dumps(models))

    # Sampling fields start empty: the server's defaults apply until the user sets them.
    fields = driver.execute_script("""
        return ['temperature', 'max-tokens'].map((id) => {
          const f = document.getElementById(id); return {id, value: f.value, placeholder: f.placeholder}; });""")
    check("temperature and max tokens are empty, with a 'model default' placeholder",
          all(f["value"] == "" and "default" in f["placeholder"] for f in fields), json.dumps(fields))
    ok, rects = aligned(driver, "#chat-input", "#chat-send")
    check("the Send button shares the message box's top and height (2 px)", ok, rects)

    # Chat: a real reply, rendered as Markdown while it streams. Nothing is set, so the request
    # carries no temperature or max_tokens.
    driver.execute_script(RECORD_FETCH)
    turn = send_chat(driver, "Write a Python function that returns the square of a number, in a "
                             "Markdown code block, then explain it in one sentence.", 0)
    sent = last_request(driver, "/v1/chat/completions") or {}
    check("with the fields empty, the request carries no temperature or max_tokens",
          sent and "temperature" not in sent and "max_tokens" not in sent, json.dumps(sent)[:400])
    reply = driver.execute_script("""
        const all = document.querySelectorAll('#messages .msg.assistant');
        const b = all[all.length - 1].querySelector('.body');
        return {md: b.classList.contains('md'), blocks: [...b.children].map((e) => e.tagName.toLowerCase()),
                code: b.querySelectorAll('pre code').length, text: b.textContent,
                fences: (() => { const c = b.cloneNode(true); c.querySelectorAll('pre').forEach((p) => p.remove());
                                 return c.textContent.includes('```'); })()};""")
    check("a streamed reply lands rendered in the Markdown container (blocks, no fence outside code)",
          turn["state"] == "done" and reply["md"] and reply["blocks"] and reply["text"].strip()
          and not reply["fences"], json.dumps(reply)[:600])
    driver.save_screenshot(os.path.join(args.artifacts, "web-chat-markdown.png"))
    # The next turns start a conversation of their own.
    driver.find_element(By.ID, "chat-clear").click()
    cleared = driver.execute_script("""return {stored: localStorage.getItem('flash.chat'),
        shown: document.querySelectorAll('#messages .msg').length, messages: window.chatMessages.length};""")
    check("New chat empties the conversation and its stored copy",
          cleared == {"stored": None, "shown": 0, "messages": 0}, json.dumps(cleared))

    # Chat: one plain turn, short and greedy, with the fields filled in.
    driver.find_element(By.CSS_SELECTOR, "#panel-chat details:first-child summary").click()
    for field, value in (("max-tokens", "96"), ("temperature", "0")):
        el = driver.find_element(By.ID, field)
        el.clear()
        el.send_keys(value)
    turn = send_chat(driver, "What is the capital of France? Answer in one sentence.", 0)
    check("a chat turn streams non-empty assistant text", turn["state"] == "done" and turn["text"].strip(),
          json.dumps(turn))
    sent = last_request(driver, "/v1/chat/completions") or {}
    check("filled-in fields are sent (temperature 0, max_tokens 96)",
          sent.get("temperature") == 0 and sent.get("max_tokens") == 96, json.dumps(sent)[:400])

    # Chat: a forced tool call, drawn as a card.
    driver.find_element(By.CSS_SELECTOR, "#tools-box summary").click()
    driver.find_element(By.ID, "tools").send_keys(json.dumps(TOOLS, indent=1))
    driver.find_element(By.CSS_SELECTOR, "#tool-choice option[value=required]").click()
    turn = send_chat(driver, "What is the weather in Paris?", 1)
    card = driver.execute_script("""
        const all = document.querySelectorAll('#messages .msg.assistant');
        const c = all[all.length - 1].querySelector('.tool-card');
        return c && {name: c.querySelector('.tool-name').textContent,
                     keys: [...c.querySelectorAll('.tool-args th')].map(t => t.textContent),
                     values: [...c.querySelectorAll('.tool-args td')].map(t => t.textContent)};""")
    check("a forced tool call is a card naming get_weather with a 'city' row",
          turn["state"] == "done" and card and card["name"] == "get_weather" and card["keys"] == ["city"],
          json.dumps({"turn": turn, "card": card}))
    messages = driver.execute_script("return window.chatMessages")
    roles = [m["role"] for m in messages]
    check("the conversation is kept across turns (user, assistant, user, assistant with tool_calls)",
          roles == ["user", "assistant", "user", "assistant"] and messages[3].get("tool_calls"),
          json.dumps(messages))
    driver.save_screenshot(os.path.join(args.artifacts, "web-chat.png"))

    # The Markdown renderer on a known text: each construct becomes its element.
    shown = driver.execute_script("""
        const d = document.createElement('div');
        renderMarkdown(d, arguments[0]);
        const a = d.querySelector('a');
        return {h2: (d.querySelector('h2') || {}).textContent, ol: d.querySelectorAll('ol > li').length,
                ul: d.querySelectorAll('ul > li').length, inline: (d.querySelector('li code') || {}).textContent,
                block: (d.querySelector('pre > code') || {}).textContent,
                link: a && {href: a.getAttribute('href'), target: a.target, rel: a.rel, text: a.textContent}};""",
                                  MARKDOWN)
    check("Markdown renders: heading, numbered and bulleted lists, inline code, code block, link",
          shown["h2"] == "Steps" and shown["ol"] == 2 and shown["ul"] == 2
          and shown["inline"] == "flash serve" and shown["block"] == "print('hi')\n"
          and shown["link"] == {"href": "https://example.com/docs", "target": "_blank",
                                "rel": "noopener noreferrer", "text": "the docs"}, json.dumps(shown))
    code_font = driver.execute_script("""
        const m = document.createElement('div'); m.className = 'msg assistant';
        const b = document.createElement('div'); b.className = 'body md'; m.append(b);
        document.querySelector('#messages').append(m);
        renderMarkdown(b, arguments[0]);
        const f = getComputedStyle(b.querySelector('pre code')).fontFamily;
        const p = getComputedStyle(b.querySelector('h2')).fontFamily;
        m.remove();
        return [f, p];""", MARKDOWN)
    check("code is set in a monospace font", "mono" in code_font[0].lower() and code_font[0] != code_font[1],
          json.dumps(code_font))
    open_fence = driver.execute_script("""
        const d = document.createElement('div');
        renderMarkdown(d, 'Here:\\n\\n```python\\nx = 1\\nprint(x)');
        return {code: (d.querySelector('pre > code') || {}).textContent, text: d.textContent};""")
    check("a code fence not closed yet (mid-stream) already renders as code",
          open_fence["code"] == "x = 1\nprint(x)\n" and "```" not in open_fence["text"], json.dumps(open_fence))

    # Hostile HTML in a reply stays inert: through the renderer directly, and as a streamed reply.
    driver.execute_script("""
        const d = document.createElement('div');
        document.body.append(d);
        renderMarkdown(d, arguments[0]);
        window.__probe = d;""", HOSTILE)
    time.sleep(0.5)  # an onerror would have fired by now
    direct = inert(driver, "window.__probe")
    driver.execute_script("window.__probe.remove(); delete window.__probe;")
    check("sanitized: <script>, onerror, javascript: links and images are inert (rendering a text)",
          direct["xss"] is None and not direct["dangerous"] and not direct["handlers"]
          and not direct["js_links"] and "<img src=x onerror" in direct["text"]
          and "<script>" in direct["text"] and direct["strong"] == 1, json.dumps(direct))
    driver.execute_script("window.__fakeReply = arguments[0];", HOSTILE)
    turn = send_chat(driver, "Show me some HTML.", 2)
    time.sleep(0.5)
    streamed = inert(driver, LAST_REPLY)
    check("sanitized: the same reply streamed into the chat is inert and shown as text",
          turn["state"] == "done" and streamed["xss"] is None and not streamed["dangerous"]
          and not streamed["handlers"] and not streamed["js_links"]
          and "<img src=x onerror" in streamed["text"], json.dumps(streamed))

    # The conversation survives a reload, drawn as it was.
    before_msgs = driver.execute_script("return window.chatMessages")
    before_view = driver.execute_script(CHAT_VIEW)
    reload(driver)
    after_msgs = driver.execute_script("return window.chatMessages")
    after_view = driver.execute_script(CHAT_VIEW)
    check("the conversation survives a reload (the messages sent with the next turn)",
          after_msgs == before_msgs and len(after_msgs) == 6, json.dumps(after_msgs)[:600])
    check("the reloaded chat is drawn as before: Markdown, the tool card, the reply text",
          [(v["role"], v["text"].strip(), v["cards"]) for v in after_view]
          == [(v["role"], v["text"].strip(), v["cards"]) for v in before_view]
          and [v["tags"] for v in after_view] == [v["tags"] for v in before_view]
          and "get_weather" in after_view[3]["cards"] and "strong" in after_view[5]["tags"],
          json.dumps({"before": before_view, "after": after_view})[:1500])
    restored = inert(driver, LAST_REPLY)
    check("the restored hostile reply is still inert", restored["xss"] is None and not restored["dangerous"]
          and not restored["handlers"] and not restored["js_links"], json.dumps(restored))

    # After "New chat" a reload shows an empty chat.
    saved = driver.execute_script("return localStorage.getItem('flash.chat')")
    driver.find_element(By.ID, "chat-clear").click()
    cleared = driver.execute_script("""return {stored: localStorage.getItem('flash.chat'),
        shown: document.querySelectorAll('#messages .msg').length, messages: window.chatMessages.length};""")
    reload(driver)
    reloaded = driver.execute_script("return document.querySelectorAll('#messages .msg').length")
    check("after New chat (tool card and all) a reload shows an empty chat",
          cleared == {"stored": None, "shown": 0, "messages": 0} and reloaded == 0,
          json.dumps({"cleared": cleared, "after reload": reloaded}))

    # Corrupt storage: the chat starts empty, and the page raises no error (checked at the end).
    results = {}
    for name, value in (("bad JSON", "{not json"), ("wrong shape", '[{"role":"user","content":7}]'),
                        ("not a list", '"hello"')):
        driver.execute_script("localStorage.setItem('flash.chat', arguments[0])", value)
        reload(driver)
        results[name] = driver.execute_script("""return {shown: document.querySelectorAll('#messages .msg').length,
            messages: window.chatMessages.length, stored: localStorage.getItem('flash.chat')};""")
    check("corrupt stored conversations are dropped and the chat starts empty",
          all(r == {"shown": 0, "messages": 0, "stored": None} for r in results.values()), json.dumps(results))
    # The good transcript, put back, comes back (the storage format is what the page reads).
    driver.execute_script("localStorage.setItem('flash.chat', arguments[0])", saved)
    reload(driver)
    check("a stored conversation put back is restored",
          driver.execute_script("return window.chatMessages.length") == 6, "")
    driver.find_element(By.ID, "chat-clear").click()

    # Grounded answer with citations.
    driver.find_element(By.ID, "tab-grounded").click()
    check("the grounded tab shows its panel", driver.find_element(By.ID, "question").is_displayed(), "")
    info = wait_for(driver, "the index line", 10, """
        const i = document.querySelector('#index-info');
        return !i.hidden && i.textContent;""")
    check("the grounded tab says it searches the server's index (1 document)",
          info.startswith("Searching the server's index (1 document)"), info)
    title = driver.find_element(By.CSS_SELECTOR, "#documents .doc-title")
    check("the first title field is empty, with a placeholder",
          title.get_attribute("value") == "" and title.get_attribute("placeholder") == "document 1",
          json.dumps({"value": title.get_attribute("value"), "placeholder": title.get_attribute("placeholder")}))
    ok, rects = aligned(driver, "#question", "#ask")
    check("the Ask button shares the question box's top and height (2 px)", ok, rects)
    title.clear()
    title.send_keys("travel-policy.txt")
    # ChromeDriver types only BMP characters, so the text is set by script.
    driver.execute_script("""
        const t = document.querySelector('#documents .doc-text');
        t.value = arguments[0];
        t.dispatchEvent(new Event('input', {bubbles: true}));""", DOCUMENT)
    driver.find_element(By.ID, "question").send_keys(QUESTION)
    driver.find_element(By.ID, "ask").click()
    state = wait_for(driver, "the answer", 300, """
        const a = document.querySelector('#answer');
        return ['done', 'abstained', 'error'].includes(a.dataset.state) ? a.dataset.state : null;""")
    answer = driver.execute_script("return window.lastAnswer")
    if state == "error":
        raise Failed("/v1/answers failed: " + driver.find_element(By.ID, "answer").text)
    if answer["answer"].get("abstained"):
        raise Failed(f"the model abstained: {answer['answer'].get('abstain_reason')!r}; answer {json.dumps(answer)}")
    wait_for(driver, "a citation button", 10, "return document.querySelector('#answer .citation')")
    button = driver.find_element(By.CSS_SELECTOR, "#answer .citation")
    b, k = int(button.get_attribute("data-block")), int(button.get_attribute("data-citation"))
    cite = answer["answer"]["content"][b]["citations"][k]
    check("the citation names the document given", cite["document_index"] == 0
          and cite["document_title"] == "travel-policy.txt", json.dumps(cite))
    # Python indexes strings by code point, as the server's offsets count.
    check("the server's offsets select its cited_text",
          DOCUMENT[cite["start_char_index"]:cite["end_char_index"]] == cite["cited_text"], json.dumps(cite))
    button.click()
    marked = wait_for(driver, "mark.cited", 5, """
        const m = document.querySelector('#sources mark.cited');
        return m && {text: m.textContent, source: m.parentElement.textContent,
                     visible: (() => { const r = m.getBoundingClientRect();
                                       return r.bottom > 0 && r.top < window.innerHeight; })()};""")
    check("the highlighted text is the citation's cited_text", marked["text"] == cite["cited_text"],
          json.dumps({"marked": marked["text"], "cited_text": cite["cited_text"]}))
    check("the highlighted text occurs in the document", marked["text"] and marked["text"] in DOCUMENT,
          marked["text"])
    check("the source panel shows the document as given", marked["source"] == DOCUMENT, marked["source"])
    wait_for(driver, "the highlight scrolled into view", 5, """
        const r = document.querySelector('#sources mark.cited').getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight;""")
    check("the highlight is scrolled into view", True, "")
    driver.save_screenshot(os.path.join(args.artifacts, "web-grounded.png"))

    # No document text: the question goes to the server's index.
    driver.execute_script("""
        const t = document.querySelector('#documents .doc-text');
        t.value = '';
        document.querySelector('#documents .doc-title').value = '';
        window.lastAnswer = null;
        window.__requests = [];""")
    driver.execute_script(RECORD_FETCH)
    driver.find_element(By.ID, "ask").click()
    state = wait_for(driver, "the answer from the index", 300, """
        const a = document.querySelector('#answer');
        return window.lastAnswer && ['done', 'abstained'].includes(a.dataset.state) ? a.dataset.state
             : a.dataset.state === 'error' ? 'error' : null;""")
    if state == "error":
        raise Failed("/v1/answers from the index failed: " + driver.find_element(By.ID, "answer").text)
    sent = last_request(driver, "/v1/answers")
    check("with no document text the request carries only the question",
          sent == {"question": QUESTION}, json.dumps(sent))
    answer = driver.execute_script("return window.lastAnswer")
    if answer["answer"].get("abstained"):
        raise Failed(f"the model abstained on the index: {answer['answer'].get('abstain_reason')!r}; "
                     f"answer {json.dumps(answer)}")
    wait_for(driver, "a citation button", 10, "return document.querySelector('#answer .citation')")
    button = driver.find_element(By.CSS_SELECTOR, "#answer .citation")
    b, k = int(button.get_attribute("data-block")), int(button.get_attribute("data-citation"))
    cite = answer["answer"]["content"][b]["citations"][k]
    check("the index answer cites the indexed file and a sentence of it",
          cite["document_title"] == INDEX_FILE and cite["document"].endswith("/" + INDEX_FILE)
          and cite["cited_text"] and cite["cited_text"] in INDEX_DOCUMENT, json.dumps(cite))
    button.click()
    shown = wait_for(driver, "mark.cited in the index source", 5, """
        const m = document.querySelector('#sources mark.cited');
        const s = m && m.closest('.source');
        return m && {mark: m.textContent, title: s.querySelector('h3').textContent,
                     path: (s.querySelector('.source-path') || {}).textContent};""")
    check("the source panel names the indexed document and highlights the cited sentence",
          shown["mark"] == cite["cited_text"] and INDEX_FILE in shown["title"]
          and shown["path"] == cite["document"], json.dumps(shown))
    driver.save_screenshot(os.path.join(args.artifacts, "web-grounded-index.png"))

    errors = [e for e in driver.get_log("browser")
              if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")]
    check("no JavaScript console errors", not errors, json.dumps(errors, indent=1))


def main():
    def own_options(ap):
        ap.add_argument("--artifacts", default=os.environ.get("FLASH_ARTIFACTS") or "./test-artifacts")
        ap.add_argument("--chromium", default="/usr/bin/chromium")
        ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")

    args, model = parse_test_args(__doc__.splitlines()[0], add_arguments=own_options)
    if model is None:
        print("0 passed, 1 failed")
        return 1
    os.makedirs(args.artifacts, exist_ok=True)

    passed, failed = [], []

    def check(name, ok, detail):
        (passed if ok else failed).append(name)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f"\n     {detail}"), flush=True)

    # A one-file index for the server's --index.
    index_tmp = tempfile.TemporaryDirectory(prefix="flash-web-index-")
    index_dir = os.path.join(index_tmp.name, "index")
    doc_path = os.path.join(index_tmp.name, INDEX_FILE)
    with open(doc_path, "w", encoding="utf-8") as f:
        f.write(INDEX_DOCUMENT)
    added = subprocess.run([args.flash, "index", "add", doc_path, "--index", index_dir],
                           capture_output=True, text=True)
    if added.returncode != 0:
        print(f"FAIL flash index add exited with {added.returncode}:\n{added.stderr}")
        print("0 passed, 1 failed")
        return 1

    server = Server(args.flash, model, ["--index", index_dir])
    driver = None
    try:
        server.wait_ready(120)
        driver = browser(args)
        run(args, server, driver, check)
    except Exception as e:  # a step the later ones depend on failed: report it and stop
        check(f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", False,
              "\n".join(str(e).splitlines()[1:]) if isinstance(e, Failed) else "")
        if driver:
            try:
                driver.save_screenshot(os.path.join(args.artifacts, "web-failure.png"))
                print("browser console:", json.dumps(driver.get_log("browser"), indent=1))
            except Exception:
                pass
    finally:
        if driver:
            driver.quit()
        server.stop()
        if failed:
            with open(os.path.join(args.artifacts, "serve.log"), "w") as f:
                f.write("".join(server.log))
        index_tmp.cleanup()
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
