"""The chat's conversation kept in the browser, its exports, and the question box's checks (issue 25).

Kept: the page's gr.BrowserState (the browser's localStorage, key STORAGE_KEY) holds the current
conversation's turns as the server built them (questions, answers, the sources and ratings HTML,
the citations' letters and spans) and up to EARLIER earlier conversations. A page load (a
reload, or Gradio's own reload once a restarted server is back) restores them; what comes back
from the browser is checked turn by turn, and a turn of the wrong shape is dropped.
Checks: an empty question, one over the length limit (refused with the text kept in the box) and
one that reads as French or Welsh (answered, with a note that the letters and the parser are English).

But: - the stored HTML was escaped when the server built it; a browser's own storage is trusted
like its own page (anyone who can write it can already run script there). - Gradio encrypts the
stored value with a key that the page itself carries: that is obfuscation, not secrecy.
"""

from __future__ import annotations

import html
import json
import re
import time
import uuid

from qa.query import MAX_QUESTION_CHARS, clean_text

STORAGE_KEY = "letters-qa-conversation"
STORAGE_SECRET = "letters-qa-web-ui"  # fixed, so that a restarted server reads what the browser kept
VERSION = 1
EARLIER = 10  # earlier conversations kept besides the current one
MAX_KEPT_SOURCES = 200_000  # characters of one answer's sources HTML kept; beyond, a note instead
SOURCES_NOT_KEPT = ('<p class="lqa-empty">This answer\'s sources were too long to keep in the browser; '
                    'ask the question again to see them.</p>')
_TURN_KEYS = {"question": str, "ok": bool, "all": bool, "reply": str, "sources": str, "ratings": str, "more": int}


def new_server_id() -> str:
    """Tells a restarted server from the one that kept a conversation ("reconnected")."""
    return uuid.uuid4().hex


def empty(server: str) -> dict:
    return {"v": VERSION, "server": server, "turns": [], "earlier": []}


def checked_turn(turn) -> dict | None:
    """A turn read back from the browser in the shape WebApp.respond builds, or None."""
    if not isinstance(turn, dict):
        return None
    for key, kind in _TURN_KEYS.items():
        value = turn.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return None
    cites = turn.get("cites")
    if not isinstance(cites, list) or not all(
            isinstance(c, list | tuple) and len(c) == 3 and isinstance(c[0], str)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in c[1:]) for c in cites):
        return None
    if not turn["question"].strip() or len(turn["question"]) > MAX_QUESTION_CHARS:
        return None
    return {**{key: turn[key] for key in _TURN_KEYS}, "question": clean_text(turn["question"]),
            "cites": [list(c) for c in cites]}


def checked_turns(turns) -> list[dict]:
    """Every turn of a kept conversation, or none: the chips of a turn name it by its place."""
    if not isinstance(turns, list):
        return []
    checked = [checked_turn(t) for t in turns]
    return checked if all(checked) else []


def read_kept(saved, server: str) -> dict:
    """The browser's kept value as {"v", "server", "turns", "earlier"}, checked; empty if unreadable."""
    if not isinstance(saved, dict) or saved.get("v") != VERSION:
        return empty(server)
    earlier = []
    for old in saved.get("earlier") or []:
        if isinstance(old, dict) and checked_turns(old.get("turns")):
            earlier.append({"when": old.get("when") if isinstance(old.get("when"), str) else "",
                            "turns": checked_turns(old["turns"])})
    server_then = saved.get("server") if isinstance(saved.get("server"), str) else ""
    return {"v": VERSION, "server": server_then, "turns": checked_turns(saved.get("turns")),
            "earlier": earlier[:EARLIER]}


def kept_turn(turn: dict) -> dict:
    if len(turn["sources"]) <= MAX_KEPT_SOURCES:
        return turn
    return {**turn, "sources": SOURCES_NOT_KEPT}


def keep(turns: list[dict], kept: dict, server: str) -> dict:
    """The value to keep in the browser now: these turns as the current conversation."""
    return {"v": VERSION, "server": server, "turns": [kept_turn(t) for t in turns],
            "earlier": list(kept.get("earlier") or [])[:EARLIER]}


def archive(turns: list[dict], kept: dict, server: str) -> dict:
    """"New conversation": the current one (if any) goes first in the earlier ones."""
    earlier = list(kept.get("earlier") or [])
    if turns:
        earlier.insert(0, {"when": time.strftime("%Y-%m-%d %H:%M"), "turns": [kept_turn(t) for t in turns]})
    return {"v": VERSION, "server": server, "turns": [], "earlier": earlier[:EARLIER]}


def earlier_choices(kept: dict) -> list[tuple[str, int]]:
    """The "Earlier conversations" list: each one's first question, its length and when it began."""
    choices = []
    for i, old in enumerate(kept.get("earlier") or []):
        first = " ".join(old["turns"][0]["question"].split())
        first = first if len(first) <= 60 else first[:59] + "…"
        count = len(old["turns"])
        choices.append((f"{first} ({count} question{'s' if count != 1 else ''}, {old['when']})", i))
    return choices


# --- export ------------------------------------------------------------------------------------

_CHIP = re.compile(r'<span class="lqa-chip[^"]*"[^>]*>(\d+)</span>')
_MD = re.compile(r'<textarea class="lqa-md" readonly hidden>([^<]*)</textarea>')
_TAGS = re.compile(r"<[^>]+>")


def turn_markdown(turn: dict) -> str:
    """A turn's answer with its numbered sources as markdown: the sources panel's "Copy as markdown"
    text (render.answer_markdown, which the panel carries escaped), else the reply without its chips."""
    found = _MD.search(turn["sources"])
    if turn["ok"] and found:
        return html.unescape(found.group(1)).strip()
    return html.unescape(_TAGS.sub("", _CHIP.sub(r"[\1]", turn["reply"]))).strip()


def conversation_markdown(turns: list[dict]) -> str:
    parts = ["# letters-qa conversation", f"Exported {time.strftime('%Y-%m-%d %H:%M')}."]
    for n, turn in enumerate(turns, 1):
        every = " (every matching passage)" if turn["all"] else ""
        parts.append(f"## {n}. {turn['question']}{every}\n\n{turn_markdown(turn)}")
    return "\n\n".join(parts) + "\n"


def conversation_json(turns: list[dict]) -> str:
    return json.dumps({"exported": time.strftime("%Y-%m-%dT%H:%M:%S"), "turns": [
        {"question": t["question"], "all": t["all"], "ok": t["ok"], "answer": turn_markdown(t),
         "citations": [{"n": n, "letter": c[0], "start": c[1], "end": c[2]} for n, c in enumerate(t["cites"], 1)]}
        for t in turns]}, ensure_ascii=False, indent=2) + "\n"


# --- the question box ----------------------------------------------------------------------------

EMPTY_QUESTION = "Type a question first."


def too_long(question: str) -> str:
    return (f"Your question is {len(question):,} characters long; the limit is {MAX_QUESTION_CHARS:,}. "
            "Shorten it and ask again: your text is still in the box.")


_FRENCH = frozenset(
    "le la les des du un une est sont et dans pour avec que qui quel quels quelle quelles quoi ont sur au aux ce "
    "cette ces pas ne comment pourquoi il elle ils leur leurs mon ma mes où ou été fait dit conseil conseils "
    "enfants je nous vous bien mal leurs très plus selon".split())
_WELSH = frozenset(
    "y yr yn ac ar mae oes sut beth pa pwy ble pam gan gyda ei eu ein eich hyn hwn hon wedi sydd sy fy dy nid "
    "ddim oedd bod ydy ydi cyngor gyngor cynghorau gynghorau plant dweud ddweud ddywedodd perfformio da dda iawn "
    "rhai yng ym hefyd neu gwasanaethau am n".split())
_ENGLISH = frozenset(
    "the a an of in is are was were what which who how why did does do for to and with about say said council "
    "councils rating ratings perform performs well poorly adequately good outstanding inadequate services "
    "children get got letter letters ofsted any all from their there this that".split())
_WORD = re.compile(r"[^\W\d_]+")


def language_note(question: str) -> str:
    """One line when the question reads as French or Welsh (a stopword count, no model); else ""."""
    words = [w.lower() for w in _WORD.findall(question)]
    english = sum(w in _ENGLISH for w in words)
    french = sum(w in _FRENCH for w in words) + 2 * bool(re.search(r"[éèêàçùœ]", question))
    welsh = sum(w in _WELSH for w in words) + 2 * bool(re.search(r"[ŵŷ]", question))
    language, count = max((("French", french), ("Welsh", welsh)), key=lambda pair: pair[1])
    if count < 2 or count <= english:
        return ""
    return (f"This question looks {language}: the letters and the question parser are English, "
            "so ask in English for a reliable answer.")


def note_line(text: str, bad: bool = False) -> str:
    """The line under the question box (role=status, so a screen reader says it)."""
    if not text:
        return ""
    return f'<p class="lqa-note{" lqa-bad" if bad else ""}" role="status">{html.escape(text)}</p>'
