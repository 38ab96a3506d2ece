"""The verifier checks what a model's sentence says, not only what it cites (issue 26, item 3).

Each sentence below cites a real passage of the seeds (Trafford's 2009 letter) and says
something that passage contradicts or does not state: it must be dropped, with its reason.
What the passages do say passes. The sentences are those a model wrote in the adversarial
pass ("outstanding and among the best", "performs excellently", "improved by ninety per
cent", "no weaknesses") and their neighbours.
"""

from __future__ import annotations

import pytest

from index.letters import read_letter
from qa.answer import Citation
from qa.verify import verify
from tests.conftest import SEEDS

TRAFFORD = next(p for p in SEEDS.iterdir() if "Trafford" in p.read_text(encoding="utf-8", errors="replace")[:2000])


def passage(text: str) -> Citation:
    letter = read_letter(TRAFFORD)
    start = letter.text.index(text)
    return Citation(letter.name, letter.council, letter.year, letter.kind, "Letter", text, start, start + len(text))


RATING = passage("Children's services in Trafford Metropolitan Borough Council perform well.")
SETTINGS = passage("The local authority fostering and adoption services are good but private fostering is inadequate.")
GIVEN = [RATING, SETTINGS]


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Trafford's private fostering arrangements are outstanding and among the best in England [2].",
     "says private fostering is outstanding; its passages say inadequate"),
    ("Private fostering in Trafford is good [2].", "says private fostering is good; its passages say inadequate"),
    ("Trafford performs excellently overall [1].", "judges something outstanding, which its passages do not say"),
    ("Trafford requires improvement [1].", "judges something adequate, which its passages do not say"),
    ("Trafford is the best council in the region [1].",
     "states a superlative (“best”) that its passages do not"),
    ("Trafford's services improved by ninety per cent [1].",
     "states a rise or improvement (“improved”) that its passages do not"),
    ("Ninety per cent of Trafford's services perform well [1].",
     "gives ninety per cent, which is not in the passages it cites"),
    ("Ofsted found no weaknesses in Trafford [1][2].", "states an absence (“no weaknesses”) that its passages do not"),
    ("Trafford's services have declined [1].", "states a fall or decline (“declined”) that its passages do not"),
])
def test_a_sentence_that_contradicts_or_goes_beyond_its_passages_is_dropped(sentence, reason):
    checked = verify(sentence, GIVEN)
    assert checked.kept == () and [d.reason for d in checked.dropped] == [reason]


@pytest.mark.parametrize("sentence", [
    "Children's services in Trafford perform well [1].",
    "Private fostering in Trafford is inadequate [2].",
    "Trafford's fostering and adoption services are good, but its private fostering is inadequate [2].",
    "Ofsted judged Trafford's adoption service good [2].",
])
def test_a_sentence_that_says_what_its_passages_say_passes(sentence):
    checked = verify(sentence, GIVEN)
    assert checked.dropped == () and len(checked.kept) == 1
