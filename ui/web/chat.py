"""The chat's conversation kept in the browser, its exports, and the question box's checks (issue 25).

Turn is one question and its answer as the server built them (the reply, the sources HTML, the
citations' letters and spans); the handlers pass Turns, and gr.State holds them. Kept:
the page's gr.BrowserState (the browser's localStorage, key STORAGE_KEY) holds the current
conversation's turns as JSON (Kept.to_json, Turn.to_json) and up to EARLIER earlier conversations. A page load (a
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
from collections.abc import Iterable
from dataclasses import dataclass, replace

from index.words import plural
from qa.query import MAX_QUESTION_CHARS, clean_text

STORAGE_KEY = "letters-qa-conversation"
STORAGE_SECRET = "letters-qa-web-ui"  # fixed, so that a restarted server reads what the browser kept
VERSION = 1
EARLIER = 10  # earlier conversations kept besides the current one
MAX_KEPT_SOURCES = 200_000  # characters of one answer's sources HTML kept; beyond, a note instead
SOURCES_NOT_KEPT = ('<p class="lqa-empty">This answer\'s sources were too long to keep in the browser; '
                    'ask the question again to see them.</p>')


@dataclass(frozen=True)
class Turn:
    """One question of the chat and what the server made of it (WebApp.respond). The handlers pass
    Turns (gr.State holds them); the browser keeps each as `to_json()`, the format of VERSION, and
    `from_json` reads it back, checked."""

    question: str
    ok: bool  # answered; False: `reply` is the error
    all: bool  # asked for every matching passage ("Show all")
    reply: str  # the chat bubble's markdown
    sources: str  # the sources panel's HTML (escaped when it was built)
    cites: tuple[tuple[str, int, int], ...]  # citation n's (letter, start, end) is cites[n - 1]
    more: int  # how many passages match an answer that quotes a sample ("Show all N"); else 0

    def to_json(self) -> dict:
        """What the browser keeps: the fields by name, each citation a [letter, start, end] list."""
        return {"question": self.question, "ok": self.ok, "all": self.all, "reply": self.reply,
                "sources": self.sources, "cites": [list(c) for c in self.cites], "more": self.more}

    @classmethod
    def from_json(cls, value) -> Turn | None:
        """A turn read back from the browser, or None when it is not of the shape `to_json` gives."""
        if not isinstance(value, dict):
            return None
        for key, kind in _JSON_TYPES.items():
            item = value.get(key)
            if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
                return None
        cites = value.get("cites")
        if not isinstance(cites, list) or not all(
                isinstance(c, list | tuple) and len(c) == 3 and isinstance(c[0], str)
                and all(isinstance(n, int) and not isinstance(n, bool) for n in c[1:]) for c in cites):
            return None
        if not value["question"].strip() or len(value["question"]) > MAX_QUESTION_CHARS:
            return None
        return cls(clean_text(value["question"]), value["ok"], value["all"], value["reply"], value["sources"],
                   tuple((c[0], c[1], c[2]) for c in cites), value["more"])

    def kept(self) -> Turn:
        """This turn as the browser keeps it: sources over MAX_KEPT_SOURCES characters give way to a note."""
        return self if len(self.sources) <= MAX_KEPT_SOURCES else replace(self, sources=SOURCES_NOT_KEPT)


# A turn kept before issue 25's one list of sources also has "ratings" (the "Ratings used" HTML, now in
# the sources): it reads back without it.
_JSON_TYPES = {"question": str, "ok": bool, "all": bool, "reply": str, "sources": str, "more": int}


@dataclass(frozen=True)
class Earlier:
    """A conversation the user left with "New conversation": when it began, and its turns."""

    when: str
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Kept:
    """What the browser keeps: the server that kept it, the current conversation and the earlier ones.
    `to_json()` is the stored value, {"v", "server", "turns", "earlier": [{"when", "turns"}]}."""

    server: str
    turns: tuple[Turn, ...] = ()
    earlier: tuple[Earlier, ...] = ()

    def to_json(self) -> dict:
        return {"v": VERSION, "server": self.server, "turns": [t.kept().to_json() for t in self.turns],
                "earlier": [{"when": old.when, "turns": [t.kept().to_json() for t in old.turns]}
                            for old in self.earlier[:EARLIER]]}


def new_server_id() -> str:
    """Tells a restarted server from the one that kept a conversation ("reconnected")."""
    return uuid.uuid4().hex


def checked_turns(turns) -> tuple[Turn, ...]:
    """Every turn of a kept conversation, or none: the chips of a turn name it by its place."""
    if not isinstance(turns, list):
        return ()
    checked = tuple(Turn.from_json(t) for t in turns)
    return checked if all(checked) else ()


def read_kept(saved, server: str) -> Kept:
    """The browser's kept value, checked; nothing kept (for `server`) if it is unreadable."""
    if not isinstance(saved, dict) or saved.get("v") != VERSION:
        return Kept(server)
    earlier = []
    for old in saved.get("earlier") or []:
        turns = checked_turns(old.get("turns")) if isinstance(old, dict) else ()
        if turns:
            earlier.append(Earlier(old.get("when") if isinstance(old.get("when"), str) else "", turns))
    server_then = saved.get("server") if isinstance(saved.get("server"), str) else ""
    return Kept(server_then, checked_turns(saved.get("turns")), tuple(earlier[:EARLIER]))


def keep(turns: Iterable[Turn], kept: Kept, server: str) -> dict:
    """The value to keep in the browser now: these turns as the current conversation."""
    return Kept(server, tuple(turns), kept.earlier).to_json()


def archive(turns: Iterable[Turn], kept: Kept, server: str) -> Kept:
    """"New conversation": the current one (if any) goes first in the earlier ones."""
    turns = tuple(turns)
    earlier = ((Earlier(time.strftime("%Y-%m-%d %H:%M"), turns),) if turns else ()) + kept.earlier
    return Kept(server, (), earlier[:EARLIER])


def earlier_choices(kept: Kept) -> list[tuple[str, int]]:
    """The "Earlier conversations" list: each one's first question, its length and when it began."""
    choices = []
    for i, old in enumerate(kept.earlier):
        first = " ".join(old.turns[0].question.split())
        first = first if len(first) <= 60 else first[:59] + "…"
        count = len(old.turns)
        choices.append((f"{first} ({plural(count, 'question')}, {old.when})", i))
    return choices


# --- export ------------------------------------------------------------------------------------

_CHIP = re.compile(r'<span class="lqa-chip[^"]*"[^>]*>(\d+)</span>')
_MD = re.compile(r'<textarea class="lqa-md" readonly hidden>([^<]*)</textarea>')
_TAGS = re.compile(r"<[^>]+>")


def turn_markdown(turn: Turn) -> str:
    """A turn's answer with its numbered sources as markdown: the sources panel's "Copy as markdown"
    text (render.answer_markdown, which the panel carries escaped), else the reply without its chips."""
    found = _MD.search(turn.sources)
    if turn.ok and found:
        return html.unescape(found.group(1)).strip()
    return html.unescape(_TAGS.sub("", _CHIP.sub(r"[\1]", turn.reply))).strip()


def conversation_markdown(turns: Iterable[Turn]) -> str:
    parts = ["# letters-qa conversation", f"Exported {time.strftime('%Y-%m-%d %H:%M')}."]
    for n, turn in enumerate(turns, 1):
        every = " (every matching passage)" if turn.all else ""
        parts.append(f"## {n}. {turn.question}{every}\n\n{turn_markdown(turn)}")
    return "\n\n".join(parts) + "\n"


def conversation_json(turns: Iterable[Turn]) -> str:
    return json.dumps({"exported": time.strftime("%Y-%m-%dT%H:%M:%S"), "turns": [
        {"question": t.question, "all": t.all, "ok": t.ok, "answer": turn_markdown(t),
         "citations": [{"n": n, "letter": c[0], "start": c[1], "end": c[2]} for n, c in enumerate(t.cites, 1)]}
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
