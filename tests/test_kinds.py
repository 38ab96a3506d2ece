"""Every letter kind, on letters in its published layout (tests/fixtures/kinds): kind, council,
year, exact ratings with their spans, sections; then the same letters indexed beside the seeds
with the real model and asked about through the Python API and the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import kinds
from index.letters import read_letter
from index.polarity import STRENGTH, WEAKNESS, classify
from index.update import update_index
from qa import Assistant
from tests.conftest import SEEDS

KINDS_DIR = Path(__file__).parent / "fixtures" / "kinds"
ROOT = Path(__file__).resolve().parent.parent


def letter(name: str):
    return read_letter(KINDS_DIR / name)


def stated(found, rating) -> str:
    return found.text[rating.start:rating.end]


# --- each kind, parsed ------------------------------------------------------------------------


def test_2010_assessment_reads_its_rating_sentence_and_its_development_list():
    found = letter("2010-assessment-northwold.txt")
    assert (found.kind, found.council, found.short_name, found.year) == (
        "annual_assessment", "Northwold County Council", "Northwold", 2010)
    assert (found.date, found.recipient, found.signatory) == (
        "9 December 2010", "Mrs Helen Carter", "Juliet Winstanley")
    [rating] = found.ratings
    assert (rating.area, rating.grade, rating.label, rating.conflict) == ("overall", 3, "Performs well", None)
    assert stated(found, rating) == "Children's services in Northwold County Council perform well."
    development = next(s for s in found.sections if s.title.endswith(": Key areas for further development"))
    items = [line for line in found.text[development.start:development.end].splitlines() if line.startswith("- ")]
    assert len(items) == 3 and all(classify(item, development.title) == WEAKNESS for item in items)


def test_2011_assessment_row_and_sentence_agree():
    found = letter("2011-assessment-westbridge.txt")
    assert (found.kind, found.short_name, found.year, found.signatory) == (
        "annual_assessment", "Westbridge", 2011, "John Goldup")
    [rating] = found.ratings
    assert (rating.grade, rating.label) == (4, "Performs excellently")
    assert stated(found, rating) == "Children's services in Westbridge City Council perform excellently."


def test_2011_assessment_row_against_its_sentence_is_a_conflict():
    text = (KINDS_DIR / "2011-assessment-westbridge.txt").read_text().replace(
        "perform excellently.", "perform adequately.")
    from index.letters import parse_letter
    found = parse_letter(text.encode(), "conflict.txt")
    [rating] = found.ratings
    assert (rating.grade, rating.label) == (4, "Performs excellently")  # the row's number wins ...
    assert stated(found, rating) == "Children's services assessment\tPerforms excellently (4)"
    assert found.text[slice(*rating.conflict)] == "Children's services in Westbridge City Council perform adequately."


def test_2005_apa_reads_what_it_grades_on_its_own_scale():
    found = letter("2005-apa-eastmere.txt")
    assert (found.kind, found.council, found.year, found.recipient) == (
        "apa_services", "Eastmere Borough Council", 2005, "Mr Peter Hale")
    got = [(r.area, r.grade, r.label) for r in found.ratings]
    assert got == [("children_services", 3, "Consistently delivers above minimum requirements"),
                   ("education", 3, "Consistently delivers above minimum requirements"),
                   ("social_care", 2, "Delivers only minimum requirements"),
                   ("capacity_to_improve", 3, "Consistently delivers above minimum requirements")]
    assert stated(found, found.ratings[2]) == (
        "The contribution of the local authority's social care services in maintaining and improving outcomes "
        "for children and young people\t2")
    # The grade descriptors table ("4 A service that ...") is never a rating.
    assert all("A service that" not in stated(found, r) for r in found.ratings)
    titles = [s.title for s in found.sections]
    assert "Staying safe: Key strengths" in titles and "Staying safe: Key areas for development" in titles


def test_2007_apa_grades_under_headings_only_the_areas_it_grades():
    found = letter("2007-apa-southvale.txt")
    assert (found.kind, found.short_name, found.year, found.signatory) == (
        "apa", "Southvale", 2007, "Christine Gilbert")
    assert [(r.area, r.grade, r.label) for r in found.ratings] == [
        ("overall", 3, "Good"), ("being_healthy", 3, "Good"), ("staying_safe", 2, "Adequate"),
        ("capacity_to_improve", 3, "Good")]
    assert stated(found, found.ratings[2]) == "Staying safe\n\nGrade 2"
    strengths = next(s for s in found.sections if s.title == "Staying safe: Major strengths")
    assert classify(found.text[strengths.start:strengths.end].strip(), strengths.title) == STRENGTH


def test_unannounced_inspection_is_indexed_without_a_rating():
    found = letter("2010-unannounced-harrowby.txt")
    assert (found.kind, found.council, found.year, found.ratings) == (
        "unannounced", "Harrowby Borough Council", 2010, ())
    polarity = {s.title.split(": ")[-1]: classify(found.text[s.start:s.end].strip(), s.title)
                for s in found.sections if ": " in s.title}
    assert polarity == {"Strengths": STRENGTH, "Areas for development": WEAKNESS,
                        "Areas for priority action": WEAKNESS}


def test_an_ofsted_letter_of_no_known_kind_is_a_generic_letter():
    found = letter("2009-letter-kellingford.txt")
    assert (found.kind, found.council, found.short_name, found.year, found.ratings) == (
        "letter", "Kellingford District Council", "Kellingford", 2009, ())
    assert [s.title for s in found.sections] == ["Monitoring visit to the youth offending service"]


def test_2015_sif_reads_its_sentence_and_every_judgement_row_on_the_inspection_scale():
    found = letter("2015-sif-southvale.txt")
    assert (found.kind, found.council, found.short_name, found.year) == (
        "sif", "Southvale Metropolitan Borough Council", "Southvale", 2015)
    assert [(r.area, r.grade, r.label) for r in found.ratings] == [
        ("overall", 1, "Inadequate"), ("help_and_protection", 1, "Inadequate"), ("children_in_care", 1, "Inadequate"),
        ("adoption", 2, "Requires improvement to be good"), ("care_leavers", 2, "Requires improvement to be good"),
        ("leadership", 1, "Inadequate"), ("lscb", 2, "Requires improvement to be good")]
    assert stated(found, found.ratings[0]) == "Children's services in Southvale are inadequate."
    assert stated(found, found.ratings[3]) == "2.1 Adoption performance\tRequires improvement"
    assert kinds.scale_key("sif") == kinds.scale_key("ilacs") == "inspection_grades"
    assert [s.title for s in found.sections] == [
        "Inspection of services for children in need of help and protection, children looked after and care leavers",
        "Review of the effectiveness of the Local Safeguarding Children Board", "Judgement table", "Summary",
        "Summary: Areas for improvement", "The experiences and progress of children who need help and protection",
        "Leadership, management and governance"]
    improve = next(s for s in found.sections if s.title == "Summary: Areas for improvement")
    items = [line for line in found.text[improve.start:improve.end].splitlines() if line.startswith("- ")]
    assert len(items) == 3 and all(classify(item, improve.title) == WEAKNESS for item in items)


@pytest.mark.parametrize(("name", "council", "year", "grades"), [
    ("2019-ilacs-southvale.txt", "Southvale", 2019,
     [("overall", 3), ("leaders_impact", 3), ("help_and_protection", 3), ("children_in_care", 3)]),
    ("2023-ilacs-eastmere.txt", "Eastmere", 2023,
     [("overall", 2), ("leaders_impact", 2), ("help_and_protection", 2), ("children_in_care", 3), ("care_leavers", 1)]),
])
def test_ilacs_reads_its_judgement_table_of_either_layout(name, council, year, grades):
    """2018-2022: children in care and care leavers in one row; from 2023, a row each."""
    found = letter(name)
    assert (found.kind, found.council, found.year, found.signatory) == ("ilacs", council, year, None)
    assert [(r.area, r.grade) for r in found.ratings] == grades
    assert all(stated(found, r).endswith("\t" + r.label) for r in found.ratings)
    assert found.sections[0].title == f"Inspection of {council} local authority children's services"
    improve = next(s for s in found.sections if s.title.endswith(": What needs to improve in this local authority?"))
    items = [line for line in found.text[improve.start:improve.end].splitlines() if line.startswith("- ")]
    assert items and all(classify(item, improve.title) == WEAKNESS for item in items)
    # "Inspection dates: ..." and "Lead inspector: ..." are facts, never a section's title
    assert not any(s.title.startswith(("Inspection dates", "Lead inspector")) for s in found.sections)


def test_graded_rows_of_the_inspections_feed_the_judgements_table():
    from index.judgements import extract_judgements
    found = letter("2019-ilacs-southvale.txt")
    rows = [(j.service, j.word, j.level) for j in extract_judgements(found) if j.level and j.start in
            {r.start for r in found.ratings}]
    assert rows == [("safeguarding", "Good", "good"), ("looked_after_children", "Good", "good"),
                    ("care_leavers", "Good", "good")]  # "children in care and care leavers": both services
    sif = letter("2015-sif-southvale.txt")
    words = {(j.service, j.word) for j in extract_judgements(sif)}
    assert ("adoption", "Requires improvement") in words and ("lscb", "Requires improvement") in words


@pytest.mark.parametrize(("name", "kind", "council", "year", "signatory", "titles"), [
    ("2019-focused-visit-northwold.txt", "focused_visit", "Northwold County Council", 2019, "Marcus Harrold",
     ["Focused visit to Northwold children's services", "Headline findings",
      "Headline findings: What needs to improve in this area of social work practice", "Main findings"]),
    ("2016-monitoring-visit-southvale.txt", "monitoring_visit", "Southvale Metropolitan Borough Council", 2016,
     "Rachel Holden", ["Monitoring visit to Southvale children's services", "Overview",
                       "Findings and evaluation of progress",
                       "Findings and evaluation of progress: Areas for priority action"]),
    ("2018-jtai-westbridge.txt", "jtai", "Westbridge City Council", 2018, "Yvette Stanley",
     ["Joint targeted area inspection of the multi-agency response to children living with domestic abuse "
      "in Westbridge",
      "Context", "Context: Key strengths", "Context: Areas for improvement", "Next steps"]),
])
def test_ungraded_visits_and_jtai_are_indexed_with_their_weaknesses_and_no_rating(
        name, kind, council, year, signatory, titles):
    found = letter(name)
    assert (found.kind, found.council, found.year, found.signatory, found.ratings) == (
        kind, council, year, signatory, ())
    assert [s.title for s in found.sections] == titles
    weak = next(s for s in found.sections if ": " in s.title and "strengths" not in s.title.lower())
    items = [line for line in found.text[weak.start:weak.end].splitlines() if line.startswith("- ")]
    assert len(items) == 2 and all(classify(item, weak.title) == WEAKNESS for item in items)


def test_a_visit_letter_without_an_address_block_is_named_by_its_title():
    from index.letters import parse_letter
    text = (KINDS_DIR / "2019-focused-visit-northwold.txt").read_text()
    text = text.replace("Northwold County Council\nCounty Hall\n", "County Hall\n")
    assert parse_letter(text, "visit.txt").council == "Northwold"


def test_each_kind_module_is_in_the_registry_once_and_generic_is_tried_last():
    assert len(set(kinds.KEYS)) == len(kinds.KEYS)
    assert kinds.KINDS[-1].key == kinds.GENERIC
    for kind in kinds.KINDS:
        assert kind.graded == (kind.scale is not None)
        assert not kind.graded or set(kind.scale.labels) == {1, 2, 3, 4}


# --- indexed beside the seeds, asked with the real model --------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, real_embedder):
    folder = tmp_path_factory.mktemp("mixed")
    letters = folder / "letters"
    shutil.copytree(SEEDS, letters)
    for path in KINDS_DIR.glob("*.txt"):
        shutil.copy(path, letters / path.name)
    report = update_index(letters, folder / "index", embedder=real_embedder)
    return folder / "index", report, Assistant.open(folder / "index", embedder=real_embedder)


def test_every_kind_indexes_and_the_generic_letter_is_named_in_the_report(mixed):
    _, report, assistant = mixed
    assert report.skipped == [] and len(report.added) == 17
    assert report.generic == ["2009-letter-kellingford.txt"]
    assert {x.kind for x in assistant.letters()} == set(kinds.KEYS)


def test_list_question_with_a_year_answers_for_that_year(mixed):
    answer = mixed[2].ask("Which councils performed excellently in 2011?")
    assert {r.council for r in answer.ratings} == {"Westbridge City Council"}
    answer = mixed[2].ask("Which councils perform well in 2010?")
    assert {r.council for r in answer.ratings} == {"Northwold County Council"}
    assert [c.text for c in answer.citations] == ["Children's services in Northwold County Council perform well."]


def test_list_question_without_a_year_answers_for_the_latest_and_offers_the_others(mixed):
    answer = mixed[2].ask("Which councils perform well?")
    # nobody performs well in 2011, the latest year on that scale; the 2011 ratings that do exist are cited
    assert answer.ratings and not any(r.grade == 3 for r in answer.ratings)
    assert {r.year for r in answer.ratings} == {2011}
    assert "No council in the index is rated “Performs well” (3) in 2011." in answer.text
    assert ("This answers for 2011, the latest year on this scale. The index also has the 2010 annual children's "
            "services assessment; the 2009 annual rating") in answer.text
    assert "Which councils perform well in 2010?" in answer.text


def test_a_council_with_an_ungraded_letter_has_no_rating_invented(mixed):
    answer = mixed[2].ask("What rating did Harrowby get?")
    assert answer.ratings == ()
    assert "The index has no rating for **Harrowby Borough Council**" in answer.text
    weaknesses = mixed[2].ask("What are Harrowby's areas for development?")
    assert weaknesses.intent == "weaknesses"
    quoted = " ".join(c.text for c in weaknesses.citations)
    assert "views of the child" in quoted and "seen by a social worker" in quoted
    assert "screened promptly" not in quoted  # a strength, never in a weaknesses answer


def test_ratings_cover_every_graded_kind_with_its_scale(mixed):
    rows = mixed[2].ratings()
    assert {r.kind for r in rows} == {k.key for k in kinds.KINDS if k.graded}
    assert {(r.area, r.grade) for r in rows if r.council == "Eastmere Borough Council"} == {
        ("children_services", 3), ("education", 3), ("social_care", 2), ("capacity_to_improve", 3)}
    assert mixed[2].ratings(kind="unannounced") == []


def test_cli_ratings_json_lists_every_graded_kind(mixed):
    index_dir = mixed[0]
    result = subprocess.run([sys.executable, "-m", "ui.cli", "ratings", "--index", str(index_dir), "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["ratings"]
    assert {r["kind"] for r in rows} == {"annual_rating", "annual_assessment", "apa", "apa_services", "sif", "ilacs"}


def test_require_improvement_answers_on_the_inspections_scale_at_each_councils_latest_inspection(mixed):
    answer = mixed[2].ask("Which councils require improvement?")
    assert answer.intent == "list"
    assert [(r.council, r.kind, r.year, r.grade) for r in answer.ratings] == [("Eastmere", "ilacs", 2023, 2)]
    assert [c.text for c in answer.citations] == ["Overall effectiveness\tRequires improvement to be good"]
    assert answer.text.startswith("**1 council** is rated requires improvement to be good (2) at their latest "
                                  "inspection (complete: every rating in the index; each cited below):")
    # Southvale's 2015 SIF grade (inadequate) gave way to its 2019 ILACS grade: each council's latest stands
    answer = mixed[2].ask("Which councils are inadequate?")
    assert not any(r.council.startswith("Southvale") for r in answer.ratings if r.grade == 1)
    answer = mixed[2].ask("Which councils were judged inadequate in 2015?")
    assert {(r.council, r.kind) for r in answer.ratings if r.grade == 1} == {
        ("Southvale Metropolitan Borough Council", "sif")}


def test_the_inspection_scale_never_merges_with_the_performs_or_apa_scales(mixed):
    assert not any(r.kind in ("sif", "ilacs") for r in mixed[2].ask("Which councils perform adequately?").ratings)
    assert {r.kind for r in mixed[2].ask("Which councils require improvement in 2015?").ratings} == {"sif"}


def test_judged_inadequate_for_children_in_care_lists_the_inspection_row(mixed):
    answer = mixed[2].ask("Which councils were judged inadequate for children in care?")
    assert answer.intent == "service_list"
    assert [(j.council, j.kind, j.word) for j in answer.judgements] == [
        ("Southvale Metropolitan Borough Council", "sif", "Inadequate")]
    assert [c.text for c in answer.citations] == ["2. Children looked after and achieving permanence\tInadequate"]
    care_leavers = mixed[2].ask("Which councils have inadequate care leavers services?")
    assert [(j.council, j.kind) for j in care_leavers.judgements] == [("Eastmere", "ilacs")]


def test_improved_from_inadequate_to_good_compares_inspections_on_one_scale(mixed):
    answer = mixed[2].ask("Which councils improved from inadequate to good?")
    assert answer.intent == "change" and answer.query.transition == (1, 3)
    assert [(r.council, r.kind, r.grade) for r in answer.ratings] == [
        ("Southvale Metropolitan Borough Council", "sif", 1), ("Southvale", "ilacs", 3)]
    assert answer.text.startswith("**1 council** whose overall grade went from")
    assert "- **Southvale**: the 2015 SIF inspection of children's services grade 1 (inadequate) [1] → " \
           "the 2019 ILACS inspection of children's services grade 3 (good) [2]" in answer.text
    assert mixed[2].ask("Which councils went from good to requires improvement?").ratings == ()
    # one council named two ways (the ILACS report's "Southvale", the letters' full name) is one council
    assert mixed[2].ask("What did Ofsted say about Southvale?").intent == "council"
    change = mixed[2].ask("Has Southvale improved?")
    assert change.intent == "change" and [r.year for r in change.ratings] == [2007, 2015, 2019]


def test_counts_superlatives_and_a_councils_grade_for_a_service_on_the_inspection_scale(mixed):
    count = mixed[2].ask("How many councils require improvement?")
    assert count.intent == "count" and count.text.startswith("**1 council** was rated requires improvement")
    bottom = mixed[2].ask("Which council came bottom in its ILACS inspection?")
    assert bottom.intent == "superlative" and [(r.council, r.grade) for r in bottom.ratings] == [("Eastmere", 2)]
    assert bottom.text.startswith("On the latest ILACS inspection of each council, overall effectiveness, the lowest "
                                  "grade given is 2 (requires improvement to be good):")
    lookup = mixed[2].ask("What grade did Eastmere get for care leavers?")
    assert lookup.intent == "service_lookup"
    assert [(j.council, j.kind, j.word) for j in lookup.judgements] == [("Eastmere", "ilacs", "Inadequate")]
    assert [c.text for c in lookup.citations] == ["The experiences and progress of care leavers\tInadequate"]


def test_list_headlines_count_councils_not_the_names_their_letters_use(mixed):
    """Southvale is "Southvale" in its ILACS report and "Southvale Metropolitan Borough Council" in its
    other letters: listed under each name its letters use, counted once."""
    answer = mixed[2].ask("What did Ofsted say about looked after children?")
    named = {j.council for j in answer.judgements}
    assert {"Southvale", "Southvale Metropolitan Borough Council"} <= named
    assert answer.text.startswith(f"**All {len(named) - 1} councils** whose letter judges looked after children")
    assert answer.coverage.matches == answer.coverage.shown == len(named) - 1


def test_generic_letter_is_searchable_and_cited(mixed):
    hits = mixed[2].search("youth offending pre-sentence reports", k=3)
    assert hits[0].letter == "2009-letter-kellingford.txt"
    assert hits[0].text in (KINDS_DIR / "2009-letter-kellingford.txt").read_text()


@pytest.mark.parametrize(("fixture", "old", "new", "council"), [
    # A council name ending in "s" keeps it; "'s" and "s'" are possessives.
    ("2010-unannounced-harrowby.txt", "Harrowby Borough Council children's",
     "London Borough of Ashwold Downs children's", "London Borough of Ashwold Downs"),
    ("2010-unannounced-harrowby.txt", "Harrowby Borough Council children's",
     "Ashwold Downs Council's children's", "Ashwold Downs Council"),
    # Addressed to a London borough without "Council", or to a council with "with" in its name.
    ("2009-letter-kellingford.txt", "Kellingford District Council", "London Borough of Barnet",
     "London Borough of Barnet"),
    ("2009-letter-kellingford.txt", "Kellingford District Council", "Blackburn with Darwen Borough Council",
     "Blackburn with Darwen Borough Council"),
])
def test_council_names_of_every_shape_are_read(fixture, old, new, council):
    from index.letters import parse_letter
    text = (KINDS_DIR / fixture).read_text().replace(old, new)
    assert parse_letter(text.encode(), fixture).council == council


def test_a_folder_mixing_text_pdf_and_word_letters_of_every_kind_indexes_in_one_go(tmp_path):
    """Every kind's letter as a PDF and as a .docx, beside the text seeds: one `update_index`,
    and the ratings equal those of the same letters as text."""
    from tests import documents
    from tests.fake_embedder import FakeEmbedder

    missing = documents.chromium_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must print the PDFs")
        pytest.skip(missing)
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(KINDS_DIR.glob("*.txt"))}
    as_text, mixed = tmp_path / "text", tmp_path / "mixed"
    shutil.copytree(SEEDS, as_text)
    shutil.copytree(SEEDS, mixed)
    pdfs = documents.letter_pdfs(list(texts.values()))
    for i, ((stem, text), pdf) in enumerate(zip(texts.items(), pdfs)):
        (as_text / f"{stem}.txt").write_text(text, encoding="utf-8")
        if i % 2:
            (mixed / f"{stem}.pdf").write_bytes(pdf)
        else:
            (mixed / f"{stem}.docx").write_bytes(documents.docx_bytes(text))
    reports = {name: update_index(tmp_path / name, tmp_path / f"{name}-index", embedder=FakeEmbedder())
               for name in ("text", "mixed")}
    assert reports["mixed"].skipped == [] and len(reports["mixed"].added) == 17
    assert reports["mixed"].generic == [next(name for name in reports["mixed"].added if "kellingford" in name)]

    def table(name):
        assistant = Assistant.open(tmp_path / f"{name}-index", embedder=FakeEmbedder())
        return sorted((Path(r.letter).stem, r.kind, r.area, r.grade, r.text) for r in assistant.ratings())

    assert table("mixed") == table("text")
