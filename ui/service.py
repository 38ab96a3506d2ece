"""The one service under the web UI and its HTTP API: an Assistant, the letters folder, the upload
lock and the letters' original files, with every question, search, table and upload the two ask for.

ui/api.py (the JSON API) and ui/web/app.py (the Gradio handlers and named endpoints) call these
methods; the answers are DESIGN.md's JSON as dicts. A caller's mistake raises a LettersQAError
(ArgumentError, QuestionError: 400 in HTTP, gr.Error in Gradio) whose one line names the argument.
The Assistant checks every argument, limits included (qa/params.py: k up to MAX_K, a known letter
kind, years of four digits), as it does for the CLI and the Python API; this only reads a blank
text filter as none given. Each front end turns its wire format into Python values first (query
text into numbers, JSON types), naming its own parameters.

But: - no Gradio and no FastAPI here: HTML, status codes and auth are the front ends'.
- uploads only add letters; one runs at a time (UploadBusy for the next), none deletes a letter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

from index.errors import LetterError, LettersQAError
from index.intake import AddReport, Original, add_letters, original_file
from index.reader import LetterInfo
from qa import Assistant
from qa.answer import judgement_dict, rating_dict
from qa.query import clean_text
from qa.retriever import council_notes

NO_LETTERS_FOLDER = "this server has no letters folder (start it with --letters DIR)"
# The intake's report fields an upload's answer keeps (not the server's folder paths).
UPDATE_FIELDS = ("generation", "letters", "chunks", "added", "updated", "removed", "skipped", "duplicates")


class UploadsOff(LettersQAError):
    """This server takes no uploads (no letters folder, or no password): the message says why."""


class UploadBusy(LettersQAError):
    """Another upload is being indexed."""


def default_letters_dir(assistant: Assistant) -> Path | None:
    """The folder the index was built from, when it is still there."""
    recorded = assistant.reader.manifest.letters_dir
    return Path(recorded) if recorded and Path(recorded).is_dir() else None


class Service:
    """What the web UI and the HTTP API serve, over one Assistant.

    `letters_dir`: where uploads go (None: uploads are off, `uploads_off` says why); `embedder`
    embeds uploaded letters (default the Assistant's)."""

    def __init__(self, assistant: Assistant, letters_dir: str | Path | None = None, embedder=None,
                 uploads_off: str | None = None):
        self.assistant = assistant
        self.letters_dir = Path(letters_dir) if letters_dir is not None else None
        self.uploads_off = uploads_off or NO_LETTERS_FOLDER  # why, when letters_dir is None
        self.embedder = embedder or assistant.embedder
        self._update = threading.Lock()

    @property
    def model_name(self) -> str | None:
        """The model that words open answers (`serve --llm`), or None."""
        composer = self.assistant.composer
        return composer.model.model_id if composer is not None else None

    # --- questions and tables -------------------------------------------------------------

    def ask(self, question: str, history: list[str] | None = None, generative: bool = True,
            all: bool = False) -> dict:  # noqa: A002 (the JSON's name)
        """The answer's JSON (the Assistant checks the question and the history)."""
        return self.assistant.ask(question, history=history, generative=generative, all=all).to_dict()

    def search(self, query: str, k: int = 5, council: str | None = None, year: int | None = None,
               kind: str | None = None) -> dict:
        """{"query", "hits"}, and "notes" / "council_filter" when the council was not read as written."""
        query, council, kind = clean_text(query), given(council), given(kind)
        hits = self.assistant.search(query, k=k, council=council, year=year, kind=kind)
        return {"query": query, "hits": [hit.to_dict() for hit in hits], **self.council_notes(council)}

    def ratings(self, council: str | None = None, year: int | None = None, kind: str | None = None) -> dict:
        council, kind = given(council), given(kind)
        rows = self.assistant.ratings(council=council, year=year, kind=kind)
        return {"ratings": [rating_dict(row) for row in rows], **self.council_notes(council)}

    def judgements(self, service: str | None = None, level: str | None = None, council: str | None = None,
                   year: int | None = None, kind: str | None = None, comparison: str | None = None) -> dict:
        council = given(council)
        rows = self.assistant.judgements(service=given(service), level=given(level), council=council, year=year,
                                         kind=given(kind), comparison=given(comparison))
        return {"judgements": [judgement_dict(row) for row in rows], **self.council_notes(council)}

    def council_notes(self, council: str | None) -> dict:
        """How a council filter was read (Assistant.read_councils), as fields of the answer when it
        was not read as written or selects nothing: "notes" (lines to show) and "council_filter".
        A misspelling as close to several councils raises CouncilNotClear, naming them."""
        return council_notes(self.assistant.read_councils(council))

    # --- letters ----------------------------------------------------------------------------

    def letters(self) -> list[dict]:
        return [letter_dict(info) for info in self.assistant.letters()]

    def letter(self, name: str) -> tuple[LetterInfo, str] | None:
        """Indexed letter `name` and its text, read from one generation; None when none is so named."""
        reader = self.assistant.reader
        info = reader.by_name.get(name)
        text = reader.letter_text(name) if info is not None else None
        return (info, text) if text is not None else None

    def health(self) -> dict:
        reader = self.assistant.reader
        return {"ok": True, "generation": reader.manifest.generation, "letters": len(reader.letters),
                "model_loaded": bool(getattr(self.assistant.embedder, "loaded", False)), "llm": self.model_name}

    def generation(self) -> int | None:
        """The index generation served now; None when the index cannot be read."""
        try:
            return self.assistant.reader.manifest.generation
        except LettersQAError:
            return None

    # --- original files and uploads -----------------------------------------------------------

    def originals_dir(self) -> Path | None:
        """Where indexed letters' files are read for download: the upload folder, else the
        folder the index was built from (the server may have uploads off)."""
        return self.letters_dir or default_letters_dir(self.assistant)

    def original(self, name: str) -> Original | None:
        """Indexed letter `name`'s file, checked (index.intake.original_file); None when no
        letter of that name is indexed. LettersQAError when its file cannot be served."""
        indexed = self.assistant.reader.manifest.letters
        folder = self.originals_dir()
        if folder is None:
            if name in indexed:
                raise LetterError(name, "this server does not know the letters folder (start it with --letters DIR)")
            return None
        return original_file(folder, name, indexed)

    def check_uploads(self) -> None:
        """UploadsOff, saying why, when this server takes no uploads."""
        if self.letters_dir is None:
            raise UploadsOff(f"uploads are off: {self.uploads_off}")

    def add_letters(self, files: list[tuple[Path, str]],
                    progress: Callable[[int, int], None] | None = None) -> AddReport:
        """Check, save and index files given as (path, name as sent) (index.intake.add_letters,
        as `letters-qa add` does). UploadsOff without a letters folder; UploadBusy while another
        upload runs; the report says what was added, skipped or failed."""
        self.check_uploads()
        if not self._update.acquire(blocking=False):
            raise UploadBusy("another upload is being indexed; try again when it has finished")
        try:
            return add_letters(files, self.letters_dir, self.assistant.index_dir, embedder=self.embedder,
                               progress=progress)
        finally:
            self._update.release()


def given(value: str | None) -> str | None:
    """A text filter as sent: None when blank (a form's empty box, `?council=`), else stripped."""
    return value.strip() if value is not None and value.strip() else None


# LetterInfo's attributes that the JSON (GET /api/letters) names otherwise; it leaves out `id`.
LETTER_JSON_NAMES = {"name": "letter", "section_count": "sections"}


def letter_dict(info: LetterInfo) -> dict:
    """GET /api/letters' JSON for one letter: its fields in order, under their JSON names, no id."""
    return {LETTER_JSON_NAMES.get(f.name, f.name): getattr(info, f.name) for f in fields(info) if f.name != "id"}


def upload_result(report: AddReport) -> dict:
    """The intake's JSON (as `letters-qa add --json`) less the server's folder paths."""
    result = {key: value for key, value in report.to_dict().items() if key not in ("letters_dir", "index_dir")}
    if result["index"] is not None:
        result["index"] = {key: result["index"][key] for key in UPDATE_FIELDS}
    return result

