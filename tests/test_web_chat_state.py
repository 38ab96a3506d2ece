"""ui/web/chat.py without a browser: what comes back from the browser's storage is checked, the
exports read as the answers did, and the language note fires on French and Welsh only."""

from __future__ import annotations

import json

from ui.web.chat import (
    EARLIER,
    SOURCES_NOT_KEPT,
    archive,
    checked_turns,
    conversation_json,
    conversation_markdown,
    earlier_choices,
    keep,
    language_note,
    read_kept,
)


def turn(question: str = "Which councils perform well?", **changes) -> dict:
    base = {"question": question, "ok": True, "all": False, "more": 0, "ratings": "",
            "reply": 'Trafford: Performs well (3) <span class="lqa-chip lqa-t0 lqa-n1" tabindex="0">1</span>',
            "sources": '<textarea class="lqa-md" readonly hidden>Trafford: Performs well (3) [1]\n\nSources:\n'
                       '[1] Trafford 2009 (t.txt, characters 1-9): it &lt;b&gt;does&lt;/b&gt;</textarea>',
            "cites": [["t.txt", 1, 9]]}
    return {**base, **changes}


def test_a_turn_of_the_wrong_shape_drops_the_whole_conversation():
    assert checked_turns([turn(), turn()]) == [turn(), turn()]
    for bad in ({**turn(), "ok": "yes"}, {**turn(), "cites": [["t.txt", "1", 9]]}, {**turn(), "more": True},
                {**turn(), "question": "x" * 1001}, {**turn(), "question": " "}, "text", None):
        assert checked_turns([turn(), bad]) == []
    assert checked_turns("not a list") == []


def test_what_the_browser_kept_is_read_back_checked():
    assert read_kept(None, "s1")["turns"] == []
    assert read_kept({"v": 99, "turns": [turn()]}, "s1")["turns"] == []
    kept = keep([turn()], read_kept(None, "s1"), "s1")
    assert read_kept(json.loads(json.dumps(kept)), "s2") == {**kept, "server": "s1"}
    big = turn(sources="x" * 300_000)
    assert keep([big], kept, "s1")["turns"][0]["sources"] == SOURCES_NOT_KEPT


def test_new_conversations_push_the_old_ones_into_a_short_list():
    value = read_kept(None, "s")
    for n in range(EARLIER + 3):
        value = archive([turn(f"Question {n}?")], value, "s")
    assert value["turns"] == [] and len(value["earlier"]) == EARLIER
    assert earlier_choices(value)[0][0].startswith(f"Question {EARLIER + 2}? (1 question, ")
    assert archive([], value, "s")["earlier"] == value["earlier"]  # an empty conversation is not listed


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
