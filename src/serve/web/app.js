// The web page of `flash serve` (docs/SERVER.md). Everything the model or a document says
// is put on the page as text (textContent, text nodes), never as HTML — except an assistant's
// reply, which is Markdown made into HTML by marked and then sanitized by DOMPurify (below).
"use strict";

const $ = (sel) => document.querySelector(sel);

// Builds an element: el("p", {class: "x"}, "text", child, ...). Strings become text nodes.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

// ---- Server: API key, status, model ----------------------------------------------------

const KEY_STORE = "flash.apiKey";

function headers(json = true) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const key = localStorage.getItem(KEY_STORE);
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// The message of an OpenAI-shaped error body, or the HTTP status when there is none.
async function errorOf(res) {
  try {
    const body = await res.json();
    if (body && body.error) return body.error.message || JSON.stringify(body.error);
  } catch (_) { /* not JSON */ }
  return `HTTP ${res.status} ${res.statusText}`;
}

let modelId = "";

function setStatus(state, text) {
  const s = $("#status");
  s.dataset.state = state;
  s.textContent = text;
}

async function loadModel() {
  try {
    const res = await fetch("/v1/models", { headers: headers(false) });
    if (res.status === 401) { $("#model").textContent = "(API key needed)"; return; }
    if (!res.ok) throw new Error(await errorOf(res));
    const list = await res.json();
    modelId = (list.data && list.data[0] && list.data[0].id) || "";
    $("#model").textContent = modelId;
    serverIndex = list.index ? { documents: list.index_documents ?? null } : null;
    showIndexInfo();
  } catch (e) {
    $("#model").textContent = "";
  }
}

// Polls /health: every second while the model loads, every 15 s once it is ready (so the
// page notices a server that went away).
async function pollHealth() {
  let delay = 1000;
  try {
    const res = await fetch("/health", { cache: "no-store" });
    const body = await res.json().catch(() => ({}));
    if (res.ok && body.status === "ok") {
      if ($("#status").dataset.state !== "ready") loadModel();
      setStatus("ready", "ready");
      delay = 15000;
    } else if (body.status === "error") {
      setStatus("down", "model failed to load" + (body.error ? ": " + body.error : ""));
      delay = 15000;
    } else {
      setStatus("loading", "loading model…");
    }
  } catch (_) {
    setStatus("down", "server unreachable");
    delay = 5000;
  }
  setTimeout(pollHealth, delay);
}

function initKey() {
  const input = $("#api-key");
  input.value = localStorage.getItem(KEY_STORE) || "";
  $("#key-form").addEventListener("submit", (e) => { e.preventDefault(); input.blur(); });
  input.addEventListener("change", () => {
    const v = input.value.trim();
    if (v) localStorage.setItem(KEY_STORE, v); else localStorage.removeItem(KEY_STORE);
    loadModel();
  });
}

// ---- Tabs ------------------------------------------------------------------------------

function initTabs() {
  const tabs = [$("#tab-chat"), $("#tab-grounded")];
  const select = (tab) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    }
  };
  for (const t of tabs) {
    t.addEventListener("click", () => select(t));
    // Arrow keys move between tabs, as the ARIA tabs pattern has it.
    t.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const next = tabs[(tabs.indexOf(t) + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next);
      next.focus();
    });
  }
}

// ---- Server-sent events ----------------------------------------------------------------

// Reads a text/event-stream body and calls onData(string) with each event's data. Events
// end at a blank line; several `data:` lines of one event are joined with "\n". Reading
// stops at the end of the body or when onData returns true.
async function readEvents(res, onData) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = done ? "" : lines.pop(); // the last piece may be an unfinished line
    for (const line of lines) {
      if (line === "") {
        const stop = data.length && onData(data.join("\n"));
        data = [];
        if (stop) { reader.cancel().catch(() => {}); return; }
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      } // comments (":") and other fields are ignored
    }
    if (done) break;
  }
  if (data.length) onData(data.join("\n"));
}

// ---- Markdown --------------------------------------------------------------------------

// Assistant replies are Markdown. marked (MIT licence) turns them into HTML; HTML the model
// writes itself is escaped (shown as text, never parsed) and images become plain links, so a
// reply cannot load anything. DOMPurify (Apache-2.0 or MPL-2.0) then keeps only the tags and
// attributes below: whatever gets through marked still cannot run script. Both are Debian's
// files, served from /vendor/.
const MD_TAGS = ["p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
  "blockquote", "pre", "code", "em", "strong", "del", "a", "table", "thead", "tbody", "tr", "th", "td"];
const MD_ATTRS = ["href", "title", "start", "align"];

const markdown = (() => {
  if (!window.marked || !window.DOMPurify || !DOMPurify.isSupported) return null;
  const escapeHtml = (s) => s.replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  marked.use({
    gfm: true,
    headerIds: false, // ids from a reply's headings could shadow the page's own
    mangle: false,
    renderer: {
      html: (html) => escapeHtml(html),
      image(href, title, text) { return this.link(href, title, text || escapeHtml(href || "")); },
    },
  });
  // Links open in a new tab and tell the target nothing about this page.
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  return (text) => DOMPurify.sanitize(marked.parse(text), {
    ALLOWED_TAGS: MD_TAGS, ALLOWED_ATTR: MD_ATTRS, RETURN_DOM_FRAGMENT: true,
  });
})();

// A code fence still open at the end of `text` (the reply is streaming, or the model never
// closed it) is closed: marked would leave it as paragraphs with the backticks showing.
function closeOpenFence(text) {
  let open = null;
  for (const line of text.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (!m) continue;
    if (!open) {
      if (!(m[1][0] === "`" && m[2].includes("`"))) open = m[1]; // a ``` line with ` after is text
    } else if (m[1][0] === open[0] && m[1].length >= open.length && !m[2].trim()) {
      open = null;
    }
  }
  return open ? text + "\n" + open : text;
}

// Puts Markdown `text` into `node` as sanitized HTML (as plain text should the libraries be
// missing). Cheap enough to run again on every streamed piece of a reply.
function renderMarkdown(node, text) {
  if (!markdown) { node.textContent = text; return; }
  node.replaceChildren(markdown(closeOpenFence(text)));
}

// ---- Chat ------------------------------------------------------------------------------

const chat = {
  messages: [],      // the conversation sent with each request (OpenAI messages)
  controller: null,  // the AbortController of the request in flight
  epoch: 0,          // counts "New chat"s: a turn that ends after one belongs to no conversation
};
window.chatMessages = chat.messages; // for tests and the curious

// The conversation is kept in localStorage, so a reload (or a closed tab) loses nothing until
// "New chat".
const CHAT_STORE = "flash.chat";

function saveChat() {
  try {
    if (chat.messages.length) localStorage.setItem(CHAT_STORE, JSON.stringify(chat.messages));
    else localStorage.removeItem(CHAT_STORE);
  } catch (_) { /* storage full or disabled: the conversation lives on in this tab only */ }
}

// The stored conversation, or [] when there is none or it is not one this page wrote (bad
// JSON, another shape): then it is dropped and the chat starts empty.
function loadChat() {
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(CHAT_STORE) || "[]"); } catch (_) { saved = null; }
  const text = (c) => c === null || typeof c === "string";
  const valid = Array.isArray(saved) && saved.every((m) => m && typeof m === "object" && (
    (m.role === "user" && typeof m.content === "string") ||
    (m.role === "assistant" && text(m.content) &&
     (m.tool_calls === undefined || (Array.isArray(m.tool_calls) &&
       m.tool_calls.every((c) => c && c.function && typeof c.function.name === "string")))) ||
    (m.role === "tool" && typeof m.tool_call_id === "string" && typeof m.content === "string")));
  if (valid) return saved;
  try { localStorage.removeItem(CHAT_STORE); } catch (_) { /* nothing to drop */ }
  return [];
}

// Draws the stored conversation as it looked: replies as Markdown, tool calls as cards with
// their results, and a reply form under the last turn's calls still waiting for one.
function restoreChat() {
  const saved = loadChat();
  chat.messages.push(...saved);
  const cards = new Map(); // tool_call_id → card
  for (const m of saved) {
    if (m.role === "tool") {
      const result = el("p", { class: "tool-result" }, "→ ", m.content);
      const form = cards.get(m.tool_call_id)?.querySelector(".tool-reply");
      if (form) form.replaceWith(result);
      continue;
    }
    // As when the conversation moved on: calls left without a result are past.
    for (const form of document.querySelectorAll("#messages .tool-reply")) form.remove();
    if (m.role === "user") { addMessage("user", m.content); continue; }
    const msg = addMessage("assistant", "");
    renderMarkdown(msg.querySelector(".body"), m.content || "");
    for (const c of m.tool_calls || []) {
      const card = el("div", { class: "tool-card" });
      msg.append(card);
      renderToolCard(card, { id: c.id || "", name: c.function.name, arguments: c.function.arguments || "" }, true);
      if (c.id) cards.set(c.id, card);
    }
    msg.dataset.state = "done";
    msg.dataset.done = "true";
  }
  scrollMessages();
}

function scrollMessages() {
  const box = $("#messages");
  box.scrollTop = box.scrollHeight;
}

function addMessage(role, text) {
  // A reply's body holds rendered Markdown; the user's text stays text.
  const body = el("div", { class: role === "assistant" ? "body md" : "body" }, text || "");
  const msg = el("div", { class: `msg ${role}` }, el("div", { class: "role" }, role), body);
  $("#messages").append(msg);
  scrollMessages();
  return msg;
}

// A value of a tool call's arguments, as a table cell: strings as they are, anything else as
// pretty-printed JSON.
function valueCell(v) {
  if (typeof v === "string") return el("td", {}, v);
  return el("td", {}, el("pre", {}, JSON.stringify(v, null, 2)));
}

// Draws (or redraws, while it streams) one tool call as a card: the function's name and its
// arguments as a key/value table once they parse, the raw text until then.
function renderToolCard(card, call, done) {
  card.replaceChildren();
  card.dataset.name = call.name;
  card.append(el("div", { class: "tool-head" },
    el("span", { class: "tool-label" }, "tool call"),
    el("code", { class: "tool-name" }, call.name || "…"),
    call.id ? el("span", { class: "tool-id" }, call.id) : null));
  let args;
  try { args = JSON.parse(call.arguments || "{}"); } catch (_) { args = undefined; }
  if (args && typeof args === "object" && !Array.isArray(args)) {
    const rows = Object.entries(args).map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), valueCell(v)));
    card.append(rows.length
      ? el("table", { class: "tool-args" }, el("tbody", {}, ...rows))
      : el("p", { class: "hint" }, "no arguments"));
  } else {
    // Still streaming, or not an object: show what came.
    card.append(el("pre", { class: "tool-raw" }, call.arguments || ""));
    if (done && args === undefined) card.append(el("p", { class: "error-text" }, "arguments are not valid JSON"));
  }
  if (done && call.id) card.append(toolReplyForm(call));
}

// Under a finished tool call: a field for the function's result, sent back as a `tool`
// message, after which the model goes on.
function toolReplyForm(call) {
  const id = "tool-result-" + call.id.replace(/[^A-Za-z0-9_-]/g, "_");
  const input = el("input", { id, type: "text", placeholder: "result the function returned" });
  const form = el("form", { class: "tool-reply" },
    el("label", { for: id }, "Result"), input, el("button", { type: "submit" }, "Reply"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (chat.controller) return;
    chat.messages.push({ role: "tool", tool_call_id: call.id, content: input.value });
    saveChat();
    form.replaceWith(el("p", { class: "tool-result" }, "→ ", input.value));
    // Go on only once every call of that turn has its result.
    const pending = document.querySelectorAll("#messages .tool-reply");
    if (pending.length === 0) complete();
  });
  return form;
}

// The tools from the Tools box: undefined when it is empty, or an Error.
function readTools() {
  const text = $("#tools").value.trim();
  $("#tools-error").textContent = "";
  if (!text) return undefined;
  try {
    const tools = JSON.parse(text);
    if (!Array.isArray(tools)) throw new Error("tools must be a JSON array");
    return tools;
  } catch (e) {
    $("#tools-error").textContent = "Tools: " + e.message;
    $("#tools-box").open = true;
    return e;
  }
}

function setBusy(busy) {
  $("#chat-send").disabled = busy;
  $("#chat-stop").disabled = !busy;
  $("#messages").setAttribute("aria-busy", String(busy));
}

async function send() {
  const input = $("#chat-input");
  const text = input.value.trim();
  if (!text || chat.controller) return;
  if (readTools() instanceof Error) return;
  input.value = "";
  chat.messages.push({ role: "user", content: text });
  saveChat();
  const shown = addMessage("user", text);
  const epoch = chat.epoch;
  if (!(await complete()) && epoch === chat.epoch) {
    // Refused before anything was generated (a 4xx/5xx answer, no connection): the message
    // leaves the conversation, so the next turn does not carry it, and goes back to the box.
    chat.messages.pop();
    saveChat();
    shown.classList.add("unsent");
    shown.title = "not sent";
    if (!input.value) input.value = text;
  }
}

// Streams the assistant's next turn for the conversation so far. Returns whether the server
// took the request (false when it answered with an error status or could not be reached).
async function complete() {
  const tools = readTools();
  if (tools instanceof Error) return false;
  // Calls left without a result are past once the conversation moves on.
  for (const form of document.querySelectorAll("#messages .tool-reply")) form.remove();
  const request = { model: modelId || "default", messages: [], stream: true,
                    stream_options: { include_usage: true } };
  const system = $("#system").value.trim();
  if (system) request.messages.push({ role: "system", content: system });
  request.messages.push(...chat.messages);
  const temperature = parseFloat($("#temperature").value);
  if (!Number.isNaN(temperature)) request.temperature = temperature;
  const maxTokens = parseInt($("#max-tokens").value, 10);
  if (maxTokens > 0) request.max_tokens = maxTokens;
  if (tools) {
    request.tools = tools;
    if ($("#tool-choice").value !== "auto") request.tool_choice = $("#tool-choice").value;
  }

  const msg = addMessage("assistant", "");
  const body = msg.querySelector(".body");
  const meta = el("div", { class: "meta" });
  msg.append(meta);
  msg.dataset.state = "streaming";
  let content = "";
  const calls = [];   // by index: {id, name, arguments, card}
  const epoch = chat.epoch;
  let finish = null;
  let usage = null;
  let failure = null;
  let accepted = false;

  chat.controller = new AbortController();
  setBusy(true);
  try {
    const res = await fetch("/v1/chat/completions", {
      method: "POST", headers: headers(), body: JSON.stringify(request),
      signal: chat.controller.signal,
    });
    if (!res.ok) throw new Error(await errorOf(res));
    accepted = true;
    await readEvents(res, (data) => {
      if (data === "[DONE]") return true;
      let chunk;
      try { chunk = JSON.parse(data); } catch (_) { failure = "unreadable event: " + data; return; }
      if (chunk.error) { failure = chunk.error.message || JSON.stringify(chunk.error); return; }
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices && chunk.choices[0];
      if (!choice) return;
      const delta = choice.delta || {};
      if (typeof delta.content === "string" && delta.content) {
        content += delta.content;
        renderMarkdown(body, content);
      }
      // Tool calls come in pieces, keyed by index: the id and name first, then the
      // arguments' text in parts.
      for (const piece of delta.tool_calls || []) {
        const i = piece.index ?? 0;
        if (!calls[i]) {
          calls[i] = { id: "", name: "", arguments: "", card: el("div", { class: "tool-card" }) };
          msg.insertBefore(calls[i].card, meta);
        }
        const call = calls[i];
        if (piece.id) call.id = piece.id;
        if (piece.function) {
          if (piece.function.name) call.name += piece.function.name;
          if (piece.function.arguments) call.arguments += piece.function.arguments;
        }
        renderToolCard(call.card, call, false);
      }
      if (choice.finish_reason) finish = choice.finish_reason;
      scrollMessages();
    });
  } catch (e) {
    failure = e.name === "AbortError" ? null : e.message;
    if (e.name === "AbortError") finish = "stopped";
  } finally {
    chat.controller = null;
    setBusy(false);
  }

  for (const call of calls) if (call) renderToolCard(call.card, call, true);
  if ((content || calls.length) && epoch === chat.epoch) {
    const turn = { role: "assistant", content: content || null };
    const made = calls.filter(Boolean);
    if (made.length) {
      turn.tool_calls = made.map((c) => ({ id: c.id, type: "function",
                                          function: { name: c.name, arguments: c.arguments } }));
    }
    chat.messages.push(turn);
    saveChat();
  }
  if (!content && !calls.length && !failure) body.textContent = finish === "stopped" ? "" : "(empty)";
  if (failure) msg.append(el("div", { class: "error-text", role: "alert" }, "Error: " + failure));
  const parts = [];
  if (finish && finish !== "stop") parts.push(finish === "length" ? "cut at max tokens" : finish);
  if (usage) parts.push(`${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens`);
  meta.textContent = parts.join(" · ");
  msg.dataset.state = failure ? "error" : finish === "stopped" ? "stopped" : "done";
  msg.dataset.done = "true";
  scrollMessages();
  return accepted || finish === "stopped";
}

function initChat() {
  $("#chat-form").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  $("#chat-input").addEventListener("keydown", (e) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition is not a send.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  $("#chat-stop").addEventListener("click", () => chat.controller && chat.controller.abort());
  $("#chat-clear").addEventListener("click", () => {
    if (chat.controller) chat.controller.abort();
    chat.epoch += 1;
    chat.messages.length = 0;
    saveChat();
    $("#messages").replaceChildren();
    $("#chat-input").focus();
  });
}

// ---- Grounded answers ------------------------------------------------------------------

// The server's document index, as /v1/models tells: null when it has none (or before it is
// known), else {documents: N, or null when the count could not be read}.
let serverIndex = null;

function showIndexInfo() {
  const info = $("#index-info");
  info.hidden = !serverIndex;
  if (!serverIndex) return;
  const n = serverIndex.documents;
  const count = n == null ? "" : ` (${n} document${n === 1 ? "" : "s"})`;
  info.textContent = `Searching the server's index${count} when no document below has text; ` +
    "documents are optional.";
}

function addDocument(title = "", text = "") {
  const node = $("#doc-template").content.firstElementChild.cloneNode(true);
  node.querySelector("legend").textContent = "Document";
  node.querySelector(".doc-title").value = title;
  node.querySelector(".doc-text").value = text;
  node.querySelector(".doc-remove").addEventListener("click", () => { node.remove(); numberDocuments(); });
  $("#documents").append(node);
  numberDocuments();
  return node;
}

// Legends read "Document 1", "Document 2", … (an untitled one is sent as "document N", which
// its placeholder shows) and the last one cannot be removed.
function numberDocuments() {
  const docs = document.querySelectorAll("#documents .doc");
  docs.forEach((d, i) => {
    d.querySelector("legend").textContent = `Document ${i + 1}`;
    d.querySelector(".doc-title").placeholder = `document ${i + 1}`;
    d.querySelector(".doc-remove").hidden = docs.length === 1;
  });
}

// What the source panel shows for the last answer. Documents sent with the question:
// {title, text} each (the citations' offsets index into the text). An answer from the server's
// index: the page never has a whole document, so each cited one is {title, path, sentences}
// with the sentences cited from it (sentence_index → cited_text).
let askedDocs = [];
let fromIndex = false;

// Gathers, from an index answer's citations, each cited document and its cited sentences.
function indexSources(answer) {
  const docs = [];
  for (const block of answer.content || []) {
    for (const c of block.citations || []) {
      const d = docs[c.document_index] ||= { title: c.document_title || "", path: c.document || "", sentences: new Map() };
      d.sentences.set(c.sentence_index, c.cited_text || "");
    }
  }
  return docs;
}

// Shows each document in the source panel, with no highlight.
function renderSources() {
  const sections = [];
  askedDocs.forEach((d, i) => {
    if (!d) return; // an index document nothing was cited from
    const head = el("h3", {}, `[${i + 1}] ${d.title}`);
    if (!fromIndex) {
      sections.push(el("section", { class: "source", id: `source-${i}` }, head,
                       el("div", { class: "source-text" }, d.text)));
      return;
    }
    const cited = [...d.sentences].sort((a, b) => a[0] - b[0]).map(([n, text]) =>
      el("p", { class: "source-text cited-sentence", "data-sentence": n }, text));
    sections.push(el("section", { class: "source", id: `source-${i}` }, head,
                     el("p", { class: "source-path hint" }, d.path), ...cited));
  });
  $("#sources").replaceChildren(...sections);
}

// Highlights what citation c cites. For documents sent: code points [start, end) of the text
// (the server's offsets count Unicode code points, JavaScript strings count UTF-16 units:
// Array.from splits by code point). For the index: the cited sentence.
function highlight(c) {
  renderSources();
  const i = c.document_index;
  let mark;
  if (fromIndex) {
    const line = document.querySelector(`#source-${i} [data-sentence="${Number(c.sentence_index)}"]`);
    if (!line) return null;
    mark = el("mark", { class: "cited" }, line.textContent);
    line.replaceChildren(mark);
  } else {
    const box = document.querySelector(`#source-${i} .source-text`);
    if (!box) return null;
    const cps = Array.from(askedDocs[i].text);
    const start = c.start_char_index, end = c.end_char_index;
    mark = el("mark", { class: "cited" }, cps.slice(start, end).join(""));
    box.replaceChildren(cps.slice(0, start).join(""), mark, cps.slice(end).join(""));
  }
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  mark.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
  return mark;
}

function renderAnswer(result) {
  const answer = result.answer || {};
  const out = $("#answer");
  out.replaceChildren();
  if (answer.abstained) {
    out.append(el("p", { class: "abstained" }, "I don't know"),
               el("p", { class: "hint" }, answer.abstain_reason || ""));
    return;
  }
  // A citation's number is the same wherever the same span is cited again.
  const numbers = new Map();
  const para = el("p", { class: "answer-text" });
  (answer.content || []).forEach((block, b) => {
    para.append(block.text || "");
    (block.citations || []).forEach((c, k) => {
      const key = `${c.document_index}:${c.start_char_index}:${c.end_char_index}`;
      if (!numbers.has(key)) numbers.set(key, numbers.size + 1);
      const n = numbers.get(key);
      const button = el("button", {
        type: "button", class: "citation", "data-block": b, "data-citation": k,
        "aria-label": `Citation ${n}: ${c.document_title || "document " + (c.document_index + 1)}`,
        title: c.cited_text || "",
      }, `[${n}]`);
      button.addEventListener("click", () => {
        for (const other of out.querySelectorAll(".citation")) other.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        highlight(c);
      });
      para.append(button);
    });
    para.append(" ");
  });
  out.append(para);
  if (!numbers.size && !(answer.content || []).length) out.append(el("p", { class: "hint" }, "(no answer)"));
}

async function ask() {
  const question = $("#question").value.trim();
  // An untitled document is "document N" by its place on the page, as its placeholder says.
  const documents = [...document.querySelectorAll("#documents .doc")]
    .map((d, i) => ({ title: d.querySelector(".doc-title").value.trim() || `document ${i + 1}`,
                      text: d.querySelector(".doc-text").value }))
    .filter((d) => d.text.trim());
  const out = $("#answer");
  if (!question) { $("#question").focus(); return; }
  if (!documents.length && !serverIndex) {
    out.replaceChildren(el("p", { class: "error-text", role: "alert" }, "Add a document with some text first."));
    return;
  }
  // Without documents the server searches its index.
  const request = documents.length ? { question, documents } : { question };
  const button = $("#ask");
  button.disabled = true;
  out.dataset.state = "asking";
  out.replaceChildren(el("p", { class: "hint" },
    documents.length ? "Reading the documents…" : "Searching the server's index…"));
  fromIndex = !documents.length;
  askedDocs = documents;
  renderSources();
  try {
    const res = await fetch("/v1/answers", {
      method: "POST", headers: headers(), body: JSON.stringify(request),
    });
    if (!res.ok) throw new Error(await errorOf(res));
    const result = await res.json();
    window.lastAnswer = result; // for tests and the console
    if (fromIndex) {
      askedDocs = indexSources(result.answer || {});
      renderSources();
    }
    renderAnswer(result);
    out.dataset.state = result.answer && result.answer.abstained ? "abstained" : "done";
  } catch (e) {
    out.replaceChildren(el("p", { class: "error-text", role: "alert" }, "Error: " + e.message));
    out.dataset.state = "error";
  } finally {
    button.disabled = false;
  }
}

function initGrounded() {
  addDocument();
  $("#add-doc").addEventListener("click", () => addDocument().querySelector(".doc-text").focus());
  $("#ask-form").addEventListener("submit", (e) => { e.preventDefault(); ask(); });
}

// ---- Start -----------------------------------------------------------------------------

initKey();
initTabs();
initChat();
restoreChat();
initGrounded();
pollHealth();
