#!/usr/bin/env python3
"""The web page of `flash serve` in a real browser (headless Chromium through Selenium),
against the real server and SmolLM2-135M-Instruct: the status line and model id; a chat
turn streamed over SSE, sent with Enter; a forced tool call drawn as a card whose
arguments are a key/value table; a grounded answer whose first citation, clicked,
highlights exactly its cited text in the source (the document has a character outside
the BMP before that text, so UTF-16 and code-point offsets differ), and the server's
offsets select that text in Python's own indexing; no JavaScript console errors.
Screenshots web-chat.png and web-grounded.png (and web-failure.png, serve.log on failure)
go to the artifacts directory. Prints 'N passed, N failed' (checks) last.

Usage: web_ui_test.py --flash BIN --model-env FLASH_SMOLLM2 [--artifacts DIR]"""
import json
import os
import re
import subprocess
import sys
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
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 40}},
                   "required": ["city"], "additionalProperties": False}}}]
LISTENING = re.compile(r"flash serve: listening on http://([^:\s]+):(\d+)")


class Failed(Exception):
    pass


class Server:
    """`flash serve` on a free port; its stderr is kept for the report."""

    def __init__(self, flash, model):
        self.log = []
        self.url = None
        self._listening = threading.Event()
        self.proc = subprocess.Popen([flash, "serve", "-m", model, "--port", "0"],
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

    # Chat: one plain turn, short and greedy.
    driver.find_element(By.CSS_SELECTOR, "#panel-chat details:first-child summary").click()
    for field, value in (("max-tokens", "96"), ("temperature", "0")):
        el = driver.find_element(By.ID, field)
        el.clear()
        el.send_keys(value)
    turn = send_chat(driver, "What is the capital of France? Answer in one sentence.", 0)
    check("a chat turn streams non-empty assistant text", turn["state"] == "done" and turn["text"].strip(),
          json.dumps(turn))

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

    # Grounded answer with citations.
    driver.find_element(By.ID, "tab-grounded").click()
    check("the grounded tab shows its panel", driver.find_element(By.ID, "question").is_displayed(), "")
    title = driver.find_element(By.CSS_SELECTOR, "#documents .doc-title")
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

    server = Server(args.flash, model)
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
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
