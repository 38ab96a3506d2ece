"""The plain JSON API beside the web UI: /api/ask, /api/search, /api/ratings, /api/judgements, /api/letters,
/api/health.

A small FastAPI app, mounted at /api on the app Gradio serves (`ui.web.launch` passes it in
as a route of that app, so `launch()` keeps all its settings). Its endpoints are plain `def`s:
FastAPI runs them in its threadpool, not through Gradio's queue. OpenAPI at /api/docs and
/api/openapi.json. The JSON is DESIGN.md's; a caller's mistake gets a 4xx `{"error": "..."}`
with one line that names the parameter, and the server logs no traceback.

Uploads (POST /letters) go through index/intake.py, as `letters-qa add` and the web UI's do;
GET /letters/{letter}/file gives an indexed letter's original file back, checked the same way.
But: - one shared password (HTTP Basic, the password of `serve`: ui/auth.py), no accounts or tokens;
failed logins are throttled per client address (a 429 after 10 in a minute).
- uploads only add letters, as in the web UI; nothing here deletes one.
- /api/docs is Swagger UI, whose script comes from a CDN: offline, read /api/openapi.json.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Body, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import IndexBusyError, IndexStoreError, LettersQAError
from index.formats import MAX_DOCUMENT_BYTES
from index.intake import AddReport, IntakeRefused, add_letters
from index.reader import LetterInfo
from index.services import BY_KEY as SERVICES
from qa.answer import judgement_dict, rating_dict
from qa.query import MAX_QUESTION_CHARS, clean_text
from qa.retriever import CouncilNotClear
from qa.retriever import council_notes as council_notes_of
from ui.auth import Guard, too_many
from ui.web import KIND_NAMES, MAX_HISTORY, WebApp

MAX_UPLOAD_FILES = 20
UPDATE_FIELDS = ("generation", "letters", "chunks", "added", "updated", "removed", "skipped", "duplicates")
MAX_JSON_BYTES = 256 * 1024  # a question (1,000 characters) and 50 earlier ones fit many times over
REALM = "letters-qa"


class ApiError(Exception):
    """A caller's mistake or a refusal: `status` and a one-line `message`."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def library_call(call):
    """Run a library call; its errors become 400 (409 busy index, 503 broken index) with their one line."""
    try:
        return call()
    except CouncilNotClear as exc:  # a misspelt council as close to several: 400, naming them
        raise ApiError(400, str(exc), did_you_mean=list(exc.names)) from None
    except LettersQAError as exc:
        raise ApiError(status_of(exc), str(exc)) from None


def council_notes(assistant, council: str | None) -> dict:
    """How a council filter was read (Assistant.read_councils), as fields to add to the response
    when it was not read as written or selects nothing: "notes" (lines to show) and
    "council_filter" (each reading: written, councils, read_as, absent, note). A misspelling as
    close to several councils is a 400 whose "did_you_mean" lists them."""
    return council_notes_of(library_call(lambda: assistant.read_councils(council)))


def status_of(exc: LettersQAError) -> int:
    """409 for a busy index or a letters folder that disagrees with it, 503 for a broken index, else 400."""
    if isinstance(exc, IndexBusyError | IntakeRefused):
        return 409
    return 503 if isinstance(exc, IndexStoreError) else 400


# --- parameters -------------------------------------------------------------------------
# Query parameters arrive as text and are checked here rather than by FastAPI, so the
# message says what the parameter takes in the words the Gradio endpoints use.


def whole(value: str | None, name: str, what: str, low: int, high: int, default: int | None = None) -> int | None:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ApiError(400, f"{name} must be {what}, not {shorten(value)!r}") from None
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be {what}, not {number}")
    return number


def text_filter(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_QUESTION_CHARS:
        raise ApiError(400, f"{name} is {len(value):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return clean_text(value.strip())


SERVICE_HELP = ", ".join(SERVICES)
COUNCIL_HELP = ("only this council (full or short name); a misspelling of one council is read as it, said in "
                "\"notes\"; one as close to several is a 400 naming them in \"did_you_mean\"")
KIND_HELP = f"a letter kind: {', '.join(KIND_NAMES)} (docs/letter-kinds.md)"


def kind_filter(value: str | None) -> str | None:
    kind = text_filter(value, "kind")
    if kind is not None and kind not in KIND_NAMES:
        raise ApiError(400, f"kind must be one of {', '.join(KIND_NAMES)}, not {shorten(kind)!r}")
    return kind


def shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def letter_dict(info: LetterInfo) -> dict:
    return {"letter": info.name, "council": info.council, "short_name": info.short_name, "year": info.year,
            "kind": info.kind, "date": info.date, "recipient": info.recipient, "signatory": info.signatory,
            "sections": info.sections, "chunks": info.chunks}


class AskRequest(BaseModel):
    question: str = Field(description="the question, up to 1,000 characters",
                          examples=["Which councils perform adequately?"])
    history: list[str] | None = Field(None, description="the earlier questions of the conversation, oldest first",
                                      examples=[["Which councils perform adequately?"]])
    generative: bool = Field(True, description="with a server started with --llm: let its model word open answers "
                                                "(checked against the letters); false for the excerpts")
    all: bool = Field(False, description="quote every passage that holds an open question's words, grouped by "
                                         "council, not the few most relevant (the answer's coverage says which)")


# --- the app ------------------------------------------------------------------------------


def build_api(web: WebApp, auth: tuple[str, str] | Guard | None = None) -> FastAPI:
    """The JSON API over the web UI's handlers (its Assistant, letters folder and update lock)."""
    api = FastAPI(title="letters-qa JSON API", version="1",
                  description="Questions, search, ratings and letters of the indexed Ofsted letters. "
                              "Errors are `{\"error\": \"one line\"}` with a 4xx status.",
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    assistant = web.assistant

    @api.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": validation_message(exc)}, status_code=422)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = "no such endpoint; see /api/docs" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    api.middleware("http")(json_body_cap)
    if auth is not None:
        api.middleware("http")(basic_auth(auth))

    @api.post("/ask", summary="Answer a question with citations and the ratings used")
    def ask(request: Annotated[AskRequest, Body()]) -> dict:
        if not request.question.strip():
            raise ApiError(400, "the question is empty; type a question about the letters")
        if len(request.history or ()) > MAX_HISTORY:
            raise ApiError(400, f"history holds at most {MAX_HISTORY} questions; send the latest ones")
        question = clean_text(request.question)
        history = [clean_text(h) for h in request.history or ()]
        return library_call(lambda: assistant.ask(question, history=history, generative=request.generative,
                                                  all=request.all).to_dict())

    @api.get("/search", summary="The k best passages for a query")
    def search(q: Annotated[str, Query(description="words to search the letters for")],
               k: Annotated[str | None, Query(description="how many passages, 1 to 100 (default 5)")] = None,
               council: Annotated[str | None, Query(description=COUNCIL_HELP)] = None,
               year: Annotated[str | None, Query(description="only letters of this year")] = None,
               kind: Annotated[str | None, Query(description=KIND_HELP)] = None) -> dict:
        if not q.strip():
            raise ApiError(400, "q is empty; give words to search the letters for")
        count = whole(k, "k", "a whole number from 1 to 100", 1, 100, default=5)
        filters = {"council": text_filter(council, "council"), "kind": kind_filter(kind),
                   "year": whole(year, "year", "a whole number such as 2009", 1000, 9999)}
        query = clean_text(q)
        notes = council_notes(assistant, filters["council"])
        hits = library_call(lambda: assistant.search(query, k=count, **filters))
        return {"query": query, "hits": [hit.to_dict() for hit in hits], **notes}

    @api.get("/ratings", summary="The extracted ratings table, optionally filtered")
    def ratings(council: Annotated[str | None, Query(description=COUNCIL_HELP)] = None,
                year: Annotated[str | None, Query(description="only this year")] = None,
                kind: Annotated[str | None, Query(description=KIND_HELP)] = None) -> dict:
        filters = {"council": text_filter(council, "council"), "kind": kind_filter(kind),
                   "year": whole(year, "year", "a whole number such as 2009", 1000, 9999)}
        notes = council_notes(assistant, filters["council"])
        rows = library_call(lambda: assistant.ratings(**filters))
        return {"ratings": [rating_dict(row) for row in rows], **notes}

    @api.get("/judgements", summary="The extracted judgements of services, optionally filtered")
    def judgements(service: Annotated[str | None, Query(description="only this service: " + SERVICE_HELP)] = None,
                   level: Annotated[str | None, Query(description="only this level: outstanding, good, adequate "
                                                                  "(satisfactory) or inadequate (poor)")] = None,
                   council: Annotated[str | None, Query(description=COUNCIL_HELP)] = None,
                   year: Annotated[str | None, Query(description="only this year")] = None,
                   kind: Annotated[str | None, Query(description=KIND_HELP)] = None,
                   comparison: Annotated[str | None, Query(description="above, in_line or below similar areas "
                                                                       "or the national figure")] = None) -> dict:
        filters = {"service": text_filter(service, "service"), "level": text_filter(level, "level"),
                   "council": text_filter(council, "council"), "kind": kind_filter(kind),
                   "year": whole(year, "year", "a whole number such as 2009", 1000, 9999),
                   "comparison": text_filter(comparison, "comparison")}
        notes = council_notes(assistant, filters["council"])
        rows = library_call(lambda: assistant.judgements(**filters))
        return {"judgements": [judgement_dict(row) for row in rows], **notes}

    @api.get("/letters", summary="The metadata of every indexed letter")
    def letters() -> dict:
        return {"letters": [letter_dict(info) for info in library_call(assistant.letters)]}

    @api.get("/letters/{letter:path}/file", summary="One letter's original file, as it lies in the letters folder",
             response_class=Response, responses={200: {"description": "the file's bytes, as an attachment",
                                                       "content": {"application/octet-stream": {}}}})
    def letter_file(letter: str) -> Response:
        try:
            original = library_call(lambda: web.original(letter))
        except ApiError as exc:  # an indexed letter whose file is gone, moved out of the folder or changed: 409
            raise ApiError(409 if exc.status == 400 else exc.status, exc.message) from None
        if original is None:
            raise ApiError(404, f"no indexed letter is named {shorten(letter, 200)!r}; GET /api/letters lists them")
        return Response(original.data, headers={
            "Content-Type": original.content_type, "Content-Disposition": attachment(original.filename),
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"})

    @api.get("/letters/{letter:path}", summary="One letter's text and metadata (its name as in `letter`)")
    def letter(letter: str) -> dict:
        def read() -> dict | None:
            reader = assistant.reader  # one generation for both look-ups
            info = next((x for x in reader.letters if x.name == letter), None)
            text = reader.letter_text(info.name) if info else None
            return {**letter_dict(info), "text": text} if text is not None else None

        found = library_call(read)
        if found is None:
            raise ApiError(404, f"no indexed letter is named {shorten(letter, 200)!r}; GET /api/letters lists them")
        return found

    @api.get("/health", summary="Whether the server answers, and what it serves")
    def health() -> dict:
        def state() -> dict:
            reader = assistant.reader
            return {"ok": True, "generation": reader.manifest.generation, "letters": len(reader.letters),
                    "model_loaded": bool(getattr(assistant.embedder, "loaded", False)),
                    "llm": web.model_name}

        return library_call(state)

    @api.post("/letters", summary="Upload letter files to the letters folder and index them (as `letters-qa add`)",
              openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                  "type": "object", "required": ["files"],
                  "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
    async def upload(request: Request) -> dict:
        if web.letters_dir is None:
            raise ApiError(403, f"uploads are off: {web.uploads_off}")
        # Checked before the body is read: the parser would otherwise spool any size to disk.
        length = request.headers.get("content-length")
        cap = MAX_UPLOAD_FILES * 2 * MAX_DOCUMENT_BYTES
        if length is None or not length.isdigit():
            raise ApiError(411, "send the files as multipart/form-data with a Content-Length")
        if int(length) > cap:
            raise ApiError(413, f"the upload is {int(length):,} bytes; send at most {MAX_UPLOAD_FILES} letters "
                                f"of up to {MAX_DOCUMENT_BYTES:,} bytes each")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise ApiError(415, "send the files as multipart/form-data, each in a field named files")
        try:
            form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=MAX_UPLOAD_FILES)
        except Exception as exc:  # starlette's MultiPartException and parser errors: the caller's body
            raise ApiError(400, f"cannot read the upload: {exc}") from None
        try:
            items = [item for item in form.getlist("files") if hasattr(item, "read")]
            if not items:
                raise ApiError(400, "no files: send each letter in a multipart field named files")
            with tempfile.TemporaryDirectory(prefix="letters-qa-upload-") as scratch:
                files = []
                for n, item in enumerate(items):
                    # Copied to disk as it came (the intake reads at most its cap, and names the size).
                    path = Path(scratch) / str(n)
                    with open(path, "wb") as out:
                        await run_in_threadpool(shutil.copyfileobj, item.file, out)
                    files.append((path, item.filename or "letter.txt"))
                return await run_in_threadpool(upload_letters, web, files)
        finally:
            await form.close()

    return api


def upload_letters(web: WebApp, files: list[tuple[Path, str]]) -> dict:
    """Check, save and index uploaded files (index.intake.add_letters, as the web UI's Letters tab does).

    200 when a letter was added or every file was already there; 400 when none could be added;
    409 while another upload runs or when the letters folder lacks indexed letters; a failed
    index update has its own status (409 busy, 503 damaged) and the report beside the error."""
    if not web._update.acquire(blocking=False):
        raise ApiError(409, "another upload is being indexed; try again when it has finished")
    try:
        report = library_call(lambda: add_letters(files, web.letters_dir, web.assistant.index_dir,
                                                  embedder=web.embedder))
        result = upload_result(report)
        if report.failure is not None:
            raise ApiError(status_of(report.failure), f"the index was not updated: {report.failure}", **result)
        if not report.ok:
            raise ApiError(400, f"no letter was added: {problems(report)}", **result)
        return result
    finally:
        web._update.release()


def upload_result(report: AddReport) -> dict:
    """The intake's JSON (as `letters-qa add --json`) less the server's folder paths."""
    result = {key: value for key, value in report.to_dict().items() if key not in ("letters_dir", "index_dir")}
    if result["index"] is not None:
        result["index"] = {key: result["index"][key] for key in UPDATE_FIELDS}
    return result


def problems(report: AddReport) -> str:
    """Why nothing was added, file by file, in one line."""
    parts = [f"{s.file}: {s.reason}" for s in report.skipped]
    parts += [f"{a.file}: already there (as {a.letter})" for a in report.already_there]
    return "; ".join(parts) or "no files"


def attachment(filename: str) -> str:
    """A Content-Disposition for a download named `filename`: plain when it is plain ASCII,
    else RFC 6266's filename* (UTF-8, percent-encoded) beside an ASCII stand-in."""
    quoted = quote(filename, safe="")
    if quoted == filename:
        return f'attachment; filename="{filename}"'
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


def validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one line naming each parameter."""
    parts = []
    for error in exc.errors()[:3]:
        loc = [str(x) for x in error.get("loc", ()) if x not in ("body", "query", "path")]
        where = ".".join(loc) or "the request body"
        message = error.get("msg", "is not valid")
        if error.get("type") == "missing":
            parts.append(f"{where} is required")
        elif error.get("type") == "json_invalid":
            parts.append("the request body is not valid JSON")
        else:
            parts.append(f"{where}: {message[:1].lower()}{message[1:]}")
    return "; ".join(parts) or "the request is not valid"


async def json_body_cap(request: Request, call_next):
    """POST /ask reads its whole body before validating it: refuse a body over MAX_JSON_BYTES,
    or one of unstated length, before it is read (uploads have their own cap)."""
    if request.method == "POST" and request.url.path.rstrip("/").endswith("/ask"):
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return JSONResponse({"error": "send the JSON body with a Content-Length"}, status_code=411)
        if int(length) > MAX_JSON_BYTES:
            return JSONResponse({"error": f"the request body is over {MAX_JSON_BYTES // 1024} KB; send one "
                                          "question and its history"}, status_code=413)
    return await call_next(request)


def basic_auth(credentials: tuple[str, str] | Guard):
    """Middleware: every /api request needs HTTP Basic with the server's USER:PASSWORD. Wrong
    credentials are failed logins, throttled per client address by the Guard (ui/auth.py), which
    the server shares with its Gradio routes: each answered after a growing delay, and a 429
    after MAX_FAILURES in a minute."""
    guard = credentials if isinstance(credentials, Guard) else Guard(credentials)

    async def check(request: Request, call_next):
        client = request.client.host if request.client else "unknown"
        given = guard.basic(request.headers.get("authorization"))
        if given is not None:
            wait = guard.retry_after(client)
            if wait is not None:
                status, body, headers = too_many(wait)
                return JSONResponse(body, status_code=status, headers=headers)
        if not given:
            if given is False:
                await asyncio.sleep(guard.failed(client))
            return JSONResponse({"error": "this server needs a password: send HTTP Basic credentials "
                                          "(curl -u USER:PASSWORD)"}, status_code=401,
                                headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})
        guard.succeeded(client)
        return await call_next(request)

    return check
