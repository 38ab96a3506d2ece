"""ui/web/chat.py without a browser: what comes back from the browser's storage is checked, the
exports read as the answers did, and the language note fires on French and Welsh only."""

from __future__ import annotations

import json

from ui.web.chat import (
    EARLIER,
    SOURCES_NOT_KEPT,
    Kept,
    Turn,
    archive,
    checked_turns,
    conversation_json,
    conversation_markdown,
    earlier_choices,
    keep,
    language_note,
    read_kept,
)


def stored(question: str = "Which councils perform well?", **changes) -> dict:
    """A turn as the browser keeps it (Turn.to_json)."""
    base = {"question": question, "ok": True, "all": False, "more": 0,
            "reply": 'Trafford: Performs well (3) <span class="lqa-chip lqa-t0 lqa-n1" tabindex="0">1</span>',
            "sources": '<textarea class="lqa-md" readonly hidden>Trafford: Performs well (3) [1]\n\nSources:\n'
                       '[1] Trafford 2009 (t.txt, characters 1-9): it &lt;b&gt;does&lt;/b&gt;</textarea>',
            "cites": [["t.txt", 1, 9]]}
    return {**base, **changes}


def turn(question: str = "Which councils perform well?", **changes) -> Turn:
    return Turn.from_json(stored(question, **changes))


# What the browsers of the version before Turn (dicts in gr.State) kept, as that version's keep() wrote
# it: a current conversation of three turns (one asked for every passage, one an error) and one earlier
# conversation, restored once (its keys in another order). It must keep loading.
SAVED_BEFORE_TURN = json.loads(r"""
{"v": 1, "server": "s1", "turns": [{"question": "Which councils perform well?", "ok": true, "all": false, "reply":
"Trafford: Performs well (3) <span class=\"lqa-chip lqa-t0 lqa-n1\" tabindex=\"0\">1</span>", "sources":
"<textarea class=\"lqa-md\" readonly hidden>Trafford: Performs well (3) [1]</textarea>", "ratings": "<table></table>",
"cites": [["003_e59f001d04c76981.txt", 2211, 2380]], "more": 0}, {"question": "What did Ofsted say about fostering?",
"ok": true, "all": true, "reply": "Passages [1]", "sources": "<p>x</p>", "ratings": "", "cites":
[["002_eaefc0db6d347781.txt", 3031, 3158]], "more": 14}, {"question": "And Nowhere?", "ok": false, "all": false,
"reply": "**Error:** no council", "sources": "<p>e</p>", "ratings": "", "cites": [], "more": 0}], "earlier":
[{"when": "2026-12-06 18:00", "turns": [{"question": "Which councils perform well?", "ok": true, "all": false, "reply":
"Trafford: Performs well (3) <span class=\"lqa-chip lqa-t0 lqa-n1\" tabindex=\"0\">1</span>", "sources":
"<textarea class=\"lqa-md\" readonly hidden>Trafford: Performs well (3) [1]</textarea>", "ratings": "<table></table>",
"more": 0, "cites": [["003_e59f001d04c76981.txt", 2211, 2380]]}]}]}
""")


def test_a_conversation_saved_before_turns_were_typed_still_restores():
    kept = read_kept(SAVED_BEFORE_TURN, "s2")
    assert kept.server == "s1" and [t.question for t in kept.turns] == [
        "Which councils perform well?", "What did Ofsted say about fostering?", "And Nowhere?"]
    first, every, failed = kept.turns
    assert first.cites == (("003_e59f001d04c76981.txt", 2211, 2380),)
    assert (every.all, every.more, failed.ok, failed.cites) == (True, 14, False, ())
    assert [(old.when, len(old.turns)) for old in kept.earlier] == [("2026-12-06 18:00", 1)]
    assert kept.earlier[0].turns[0] == first
    # Written back, it is the same JSON, key for key (the order of keys aside): nothing is lost or renamed,
    # but "ratings" (the "Ratings used" table, which issue 25's one list of sources replaced).
    unrated = json.loads(json.dumps(SAVED_BEFORE_TURN))
    for t in [*unrated["turns"], *unrated["earlier"][0]["turns"]]:
        del t["ratings"]
    assert keep(kept.turns, kept, "s1") == unrated
    assert earlier_choices(kept) == [("Which councils perform well? (1 question, 2026-12-06 18:00)", 0)]


def test_a_turn_of_the_wrong_shape_drops_the_whole_conversation():
    assert checked_turns([stored(), stored()]) == (turn(), turn())
    for bad in ({**stored(), "ok": "yes"}, {**stored(), "cites": [["t.txt", "1", 9]]}, {**stored(), "more": True},
                {**stored(), "question": "x" * 1001}, {**stored(), "question": " "}, "text", None):
        assert checked_turns([stored(), bad]) == ()
    assert checked_turns("not a list") == ()
    assert Turn.from_json({**stored(), "question": "Trafford \ud800?"}).question == "Trafford \ufffd?"


def test_what_the_browser_kept_is_read_back_checked():
    assert read_kept(None, "s1") == Kept("s1")
    assert read_kept({"v": 99, "turns": [stored()]}, "s1").turns == ()
    kept = keep([turn()], read_kept(None, "s1"), "s1")
    assert kept["turns"] == [stored()]
    assert read_kept(json.loads(json.dumps(kept)), "s2") == Kept("s1", (turn(),))
    big = turn(sources="x" * 300_000)
    assert keep([big], read_kept(kept, "s1"), "s1")["turns"][0]["sources"] == SOURCES_NOT_KEPT


def test_new_conversations_push_the_old_ones_into_a_short_list():
    value = read_kept(None, "s")
    for n in range(EARLIER + 3):
        value = archive([turn(f"Question {n}?")], value, "s")
    assert value.turns == () and len(value.earlier) == EARLIER
    assert earlier_choices(value)[0][0].startswith(f"Question {EARLIER + 2}? (1 question, ")
    assert archive([], value, "s").earlier == value.earlier  # an empty conversation is not listed
    assert read_kept(json.loads(json.dumps(value.to_json())), "s") == value


def test_exports_hold_the_answers_with_their_sources_as_text():
    markdown = conversation_markdown([turn(), turn("And Stockport?", ok=False, reply="**Error:** no such council",
                                                    sources="", cites=[])])
    assert "## 1. Which councils perform well?\n\nTrafford: Performs well (3) [1]\n\nSources:\n[1] Trafford" in markdown
    assert "it <b>does</b>" in markdown  # unescaped once: the markdown as "Copy as markdown" gives it
    assert "## 2. And Stockport?\n\n**Error:** no such council" in markdown and "<span" not in markdown
    exported = json.loads(conversation_json([turn()]))
    assert exported["turns"][0]["citations"] == [{"n": 1, "letter": "t.txt", "start": 1, "end": 9}]


def test_the_language_note_fires_on_french_and_welsh_only():
    assert "looks French" in language_note("Quels conseils ont une bonne note pour le placement familial ?")
    assert "looks French" in language_note("Que dit Ofsted sur Trafford?")
    assert "looks Welsh" in language_note("Pa gynghorau sy'n perfformio'n dda?")
    assert "looks Welsh" in language_note("Beth ddywedodd Ofsted am faethu preifat yn Trafford?")
    for english in ("Which councils perform well?", "What did Ofsted say about private fostering in Trafford?",
                    "How is Stockton-on-Tees doing?", "And Trafford?", "Who wrote to Stockton-on-Tees?",
                    "Summarise Stockport's 2008 assessment", "y", ""):
        assert language_note(english) == ""
