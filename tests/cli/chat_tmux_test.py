#!/usr/bin/env python3
"""`flash chat` on a real terminal (tmux) with the real SmolLM2-135M-Instruct, keys sent as a
person types them: /help; a question answered; the Up arrow bringing a line back from history
and line editing (Ctrl-A, then typing at the start of the line); Ctrl-C during a long reply
stops it, keeps the conversation and returns to the prompt, and what was typed during the
reply shows nowhere; a \"\"\" multi-line message; /system; /save then /load; /reset with its
confirmation; an unknown /command not sent to the model; /bye ends the program with status 0.
Prints 'N passed, N failed' (checks) last.

Usage: chat_tmux_test.py --flash BIN --model-env FLASH_SMOLLM2"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SOCKET = f"flash-chat-test-{os.getpid()}"


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], check=check,
                          capture_output=True, text=True)


def pane():
    return tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", "chat").stdout


def wait_for(predicate, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        text = pane()
        if predicate(text):
            return text
        time.sleep(0.2)
    return pane()


def prompts(text):
    return sum(1 for line in text.splitlines() if line.startswith(">>> "))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flash", required=True)
    ap.add_argument("--model-env", required=True)
    args = ap.parse_args()
    model = os.environ.get(args.model_env, "")
    if not model or not os.path.exists(model):
        print(f"{args.model_env} is not set to the pulled model; skipping")
        return 77
    if shutil.which("tmux") is None:
        print("tmux is not installed (scripts/install-deps.sh installs it); skipping")
        return 77

    passed, failed = 0, 0

    def check(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok   {what}")
        else:
            failed += 1
            print(f"FAIL {what}\n{detail}")

    work = tempfile.mkdtemp(prefix="flash-chat-")
    saved = os.path.join(work, "conversation.json")
    status_file = os.path.join(work, "status")
    command = (f"XDG_STATE_HOME={work} {args.flash} chat -m {model} -n 400; "
               f"echo $? > {status_file}; sleep 60")
    tmux("new-session", "-d", "-s", "chat", "-x", "160", "-y", "60", command)
    try:
        text = wait_for(lambda t: ">>> " in t)
        check(">>> " in text and "/help lists commands" in text, "the prompt and the banner", text)

        tmux("send-keys", "-t", "chat", "/help", "Enter")
        text = wait_for(lambda t: "/reset" in t and prompts(t) >= 2)
        check("/bye" in text and "/save FILE" in text, "/help lists the commands", text)

        tmux("send-keys", "-t", "chat", "What is the capital of France?", "Enter")
        text = wait_for(lambda t: prompts(t) >= 3)
        check("Paris" in text, "a question is answered", text)

        # History and editing: Up brings the question back; Ctrl-A goes to the start of the
        # line, where "Tell me: " is typed; the model sees the edited line.
        tmux("send-keys", "-t", "chat", "Up")
        tmux("send-keys", "-t", "chat", "C-a")
        tmux("send-keys", "-t", "chat", "-l", "Tell me: ")
        tmux("send-keys", "-t", "chat", "Enter")
        text = wait_for(lambda t: prompts(t) >= 4)
        check(">>> Tell me: What is the capital of France?" in text,
              "Up recalls the last line and Ctrl-A edits it at the start", text)

        # Ctrl-C during a long reply; keys typed meanwhile must not appear anywhere.
        before = prompts(pane())
        tmux("send-keys", "-t", "chat", "Write a very long story about a dragon and a knight.",
             "Enter")
        time.sleep(1.0)
        tmux("send-keys", "-t", "chat", "-l", "zqxjv")
        time.sleep(0.3)
        tmux("send-keys", "-t", "chat", "C-c")
        text = wait_for(lambda t: prompts(t) > before and "(stopped)" in t, timeout=30)
        check("(stopped)" in text, "Ctrl-C stops the reply", text)
        check(prompts(text) > before, "and the prompt comes back", text)
        check("zqxjv" not in text, "keys typed during the reply are not echoed or kept", text)

        tmux("send-keys", "-t", "chat", "/system You answer in one short sentence.", "Enter")
        text = wait_for(lambda t: "(system message set)" in t)
        check("(system message set)" in text, "/system sets the system message", text)

        before = prompts(pane())
        tmux("send-keys", "-t", "chat", '"""', "Enter")
        tmux("send-keys", "-t", "chat", "Name one colour.", "Enter")
        tmux("send-keys", "-t", "chat", 'Just the word."""', "Enter")
        text = wait_for(lambda t: prompts(t) > before)
        check("... Name one colour." in text, '""" continues the message on more lines', text)

        tmux("send-keys", "-t", "chat", f"/save {saved}", "Enter")
        text = wait_for(lambda t: "(saved " in t)
        try:
            with open(saved) as f:
                messages = json.load(f)
        except (OSError, ValueError) as e:
            messages = []
            text += f"\n{e}"
        roles = [m.get("role") for m in messages]
        check(roles[:1] == ["system"] and roles.count("user") == 4 and
              "Name one colour.\nJust the word." in [m.get("content") for m in messages],
              "/save writes the conversation (the Ctrl-C'd turn kept, the multi-line message "
              "whole)", json.dumps(messages, indent=1))
        # The interrupted reply is kept as said so far.
        check(any(m.get("role") == "assistant" and m.get("content") for m in messages[5:7]),
              "the interrupted reply stays in the conversation", json.dumps(messages, indent=1))

        tmux("send-keys", "-t", "chat", "/reset", "Enter")
        text = wait_for(lambda t: "(conversation cleared)" in t)
        check("(conversation cleared)" in text, "/reset confirms", text)

        tmux("send-keys", "-t", "chat", f"/load {saved}", "Enter")
        text = wait_for(lambda t: "(loaded " in t)
        check(f"(loaded {len(messages)} messages" in text, "/load reads it back", text)

        before = prompts(pane())
        tmux("send-keys", "-t", "chat", "/frobnicate", "Enter")
        text = wait_for(lambda t: "unknown command /frobnicate" in t)
        check("unknown command /frobnicate" in text, "an unknown /command is not sent", text)

        tmux("send-keys", "-t", "chat", "/bye", "Enter")
        end = time.time() + 10
        while time.time() < end and not os.path.exists(status_file):
            time.sleep(0.2)
        status = open(status_file).read().strip() if os.path.exists(status_file) else "none"
        check(status == "0", "/bye leaves with status 0", f"status: {status}\n{pane()}")
        check(os.path.exists(os.path.join(work, "flash", "chat_history")),
              "the line history is written", os.listdir(work))
    finally:
        tmux("kill-server", check=False)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
