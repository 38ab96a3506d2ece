"""The plain JSON API beside the web UI: /api/ask, /api/search, /api/ratings, /api/judgements, /api/letters,
/api/health, over ui/service.py's Service.

One FastAPI router whose requests and responses are pydantic models (below), so /api/openapi.json
gives every response's schema; `build_api` makes the app that ui/serve.py mounts at /api. Its
endpoints are plain `def`s: FastAPI runs them in its threadpool, not through Gradio's queue.
OpenAPI at /api/docs and /api/openapi.json. The JSON is DESIGN.md's; a caller's mistake gets a 4xx
`{"error": "..."}` with one line that names the parameter, and the server logs no traceback.
Query parameters arrive as text and are read here (`number`), so a wrong one is a 400 in the
words the Gradio endpoints use; every other check is the Service's or the Assistant's.

Uploads (POST /letters) go through index/intake.py, as `letters-qa add` and the web UI's do;
GET /letters/{letter}/file gives an indexed letter's original file back, checked the same way.
But: - one shared password (HTTP Basic through fastapi.security.HTTPBasic, the password of `serve`:
ui/auth.py), no accounts or tokens; failed logins are throttled per client address (a 429 after
10 in a minute).
- uploads only add letters, as in the web UI; nothing here deletes one.
- /api/docs is Swagger UI, whose script comes from a CDN: offline, read /api/openapi.json.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from base64 import b64decode
from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, get_type_hints
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import BaseModel, ConfigDict, Field, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import IndexBusyError, IndexStoreError, LettersQAError
from index.formats import MAX_DOCUMENT_BYTES
from index.intake import IntakeRefused
from index.kinds import KEYS as KIND_KEYS
from index.reader import LetterInfo
from index.services import BY_KEY as SERVICES
from qa.params import K_RULE, YEAR_RULE, shorten
from qa.retriever import CouncilNotClear
from ui.auth import Guard, too_many
from ui.service import LETTER_JSON_NAMES, Service, UploadBusy, UploadsOff, letter_dict, upload_result

MAX_UPLOAD_FILES = 20
MAX_JSON_BYTES = 256 * 1024  # a question (1,000 characters) and 50 earlier ones fit many times over
REALM = "letters-qa"
# Each answer as the Service gives it: a field it leaves out ("notes") stays out, not null.
AS_SENT = {"response_model_exclude_unset": True}
NOT_FOUND = "no indexed letter is named {!r}; GET /api/letters lists them"


class ApiError(Exception):
    """A caller's mistake or a refusal: `status` and a one-line `message` (and fields beside it)."""

    def __init__(self, status: int, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.message, self.headers, self.extra = status, message, headers, extra


def status_of(exc: LettersQAError) -> int:
    """403 uploads off; 409 a busy index or upload, or a letters folder that disagrees with the
    index; 503 a broken index; else 400 (a caller's mistake)."""
    if isinstance(exc, UploadsOff):
        return 403
    if isinstance(exc, IndexBusyError | IntakeRefused | UploadBusy):
        return 409
    return 503 if isinstance(exc, IndexStoreError) else 400


# --- the models: what OpenAPI shows ------------------------------------------------------------
# Each allows more fields than it names (DESIGN.md: "more fields may be added").


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Model):
    error: str = Field(description="one line that says what was wrong and what to do")


class Citation(Model):
    letter: str = Field(description="the letter's path relative to the letters folder")
    council: str
    year: int
    kind: str = Field(description="the letter's kind (docs/letter-kinds.md)")
    section: str | None
    text: str = Field(description="the cited excerpt, verbatim: the letter's text[start:end]")
    start: int
    end: int


class Hit(Citation):
    score: float = Field(description="fused dense + BM25 score, higher wins")
    dense_score: float | None = None
    bm25_score: float | None = None
    polarity: str | None = None
    boilerplate: bool | None = None


class Rating(Model):
    council: str
    year: int
    kind: str
    area: str = Field(description='"overall", or an APA judgement area')
    label: str = Field(description='the letter\'s words, e.g. "Performs adequately"')
    grade: int | None = Field(description="the grade on the kind's scale; null when the letter gives none")
    scale: str | None = None
    letter: str


class Judgement(Model):
    council: str
    year: int
    kind: str
    service: str = Field(description="a key of index/services.py, e.g. private_fostering")
    word: str | None = Field(description="the letter's word for the level")
    level: str | None = Field(description="outstanding, good, adequate or inadequate")
    comparison: str | None = Field(description="above, in_line or below")
    count: int | None
    total: int | None
    negated: bool
    letter: str
    text: str = Field(description="the judging sentence, verbatim: the letter's text[start:end]")
    start: int
    end: int


class Coverage(Model):
    complete: bool = Field(description="whether the answer shows every match there is")
    matches: int | None
    shown: int
    letters: int | None = None


class CouncilFilter(Model):
    written: str
    councils: list[str]
    read_as: str | None
    absent: str | None
    note: str | None


class Notes(Model):
    notes: list[str] | None = Field(None, description="how a council filter was read, when not as written or when "
                                                      "it selects nothing (only then present)")
    council_filter: list[CouncilFilter] | None = Field(None, description="each council of the filter as read (with "
                                                                         "notes)")


class AskRequest(BaseModel):
    question: str = Field(description="the question, up to 1,000 characters",
                          examples=["Which councils perform adequately?"])
    history: list[str] | None = Field(None, description="the earlier questions of the conversation, oldest first",
                                      examples=[["Which councils perform adequately?"]])
    generative: bool = Field(True, description="with a server started with --llm: let its model word open answers "
                                                "(checked against the letters); false for the excerpts")
    all: bool = Field(False, description="quote every passage that holds an open question's words, grouped by "
                                         "council, not the few most relevant (the answer's coverage says which)")


class AskResponse(Model):
    question: str
    answer: str = Field(description="markdown; [n] refers to citations[n-1]")
    intent: str | None = None
    citations: list[Citation]
    ratings: list[Rating]
    composer: str | None = None
    verified: bool | None = None
    coverage: Coverage | None = None
    judgements: list[Judgement] = []


class SearchResponse(Notes):
    query: str
    hits: list[Hit]


class RatingsResponse(Notes):
    ratings: list[Rating]


class JudgementsResponse(Notes):
    judgements: list[Judgement]


# LetterInfo's fields as the JSON names them (ui.service.letter_dict and LETTER_JSON_NAMES), no id.
Letter = create_model("Letter", __base__=Model,
                      letter=(str, Field(description="its name: the path relative to the letters folder")),
                      **{LETTER_JSON_NAMES.get(f.name, f.name): (get_type_hints(LetterInfo)[f.name], None)
                         for f in fields(LetterInfo) if f.name not in ("id", "name")})


class Letters(Model):
    letters: list[Letter]


class LetterText(Letter):
    text: str = Field(description="the letter's decoded text, which citations' start/end index")


class Health(Model):
    ok: bool
    generation: int
    letters: int
    model_loaded: bool
    llm: str | None = Field(description="the model that words open answers (serve --llm), or null")


class Upload(Model):
    added: list[dict[str, Any]]
    already_there: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    index: dict[str, Any] | None = Field(description="the index update: generation, letters, chunks, added, ...")
    index_error: str | None = None
    conflicts: list[dict[str, Any]] = []
    summary: str | None = None


ERRORS = {400: {"model": Error, "description": "a mistake in the request, said in one line"},
          401: {"model": Error, "description": "the server has a password: send HTTP Basic credentials"},
          409: {"model": Error, "description": "the index is busy, or its letters folder disagrees with it"},
          429: {"model": Error, "description": "too many failed logins from this address; see Retry-After"},
          503: {"model": Error, "description": "the index is damaged; the message says how to repair it"}}


# --- parameters ----------------------------------------------------------------------------


def number(value: str | None, name: str, what: str) -> int | None:
    """A whole number sent as query text; None when absent or blank. Its range is the Assistant's."""
    if value is None or value.strip() == "":
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise ApiError(400, f"{name} must be {what}, not {shorten(value)!r}") from None


COUNCIL_HELP = ("only this council (full or short name); a misspelling of one council is read as it, said in "
                "\"notes\"; one as close to several is a 400 naming them in \"did_you_mean\"")
KIND_HELP = f"a letter kind: {', '.join(KIND_KEYS)} (docs/letter-kinds.md)"


class Filters(BaseModel):
    council: str | None = Field(None, description=COUNCIL_HELP)
    year: str | None = Field(None, description="only letters of this year")
    kind: str | None = Field(None, description=KIND_HELP)


class SearchQuery(Filters):
    q: str = Field(description="words to search the letters for")
    k: str | None = Field(None, description="how many passages, 1 to 100 (default 5)")


class JudgementsQuery(Filters):
    service: str | None = Field(None, description="only this service: " + ", ".join(SERVICES))
    level: str | None = Field(None, description="only this level: outstanding, good, adequate (satisfactory) or "
                                                "inadequate (poor)")
    comparison: str | None = Field(None, description="above, in_line or below similar areas or the national figure")


# --- the routes ------------------------------------------------------------------------------


async def served(request: Request) -> Service:
    """The Service of the app this request reached (build_api keeps it in the app's state)."""
    return request.app.state.service


Served = Annotated[Service, Depends(served)]
router = APIRouter(responses=ERRORS)  # the JSON API's endpoints; build_api gives them a Service


@router.post("/ask", summary="Answer a question with citations and the ratings used",
             response_model=AskResponse, **AS_SENT)
def ask(request: Annotated[AskRequest, Body()], service: Served) -> dict:
    return service.ask(request.question, request.history, generative=request.generative, all=request.all)


@router.get("/search", summary="The k best passages for a query", response_model=SearchResponse, **AS_SENT)
def search(params: Annotated[SearchQuery, Query()], service: Served) -> dict:
    if not params.q.strip():
        raise ApiError(400, "q is empty; give words to search the letters for")
    k = number(params.k, "k", K_RULE)
    return service.search(params.q, k=5 if k is None else k, council=params.council, kind=params.kind,
                          year=number(params.year, "year", YEAR_RULE))


@router.get("/ratings", summary="The extracted ratings table, optionally filtered",
            response_model=RatingsResponse, **AS_SENT)
def ratings(params: Annotated[Filters, Query()], service: Served) -> dict:
    return service.ratings(council=params.council, year=number(params.year, "year", YEAR_RULE), kind=params.kind)


@router.get("/judgements", summary="The extracted judgements of services, optionally filtered",
            response_model=JudgementsResponse, **AS_SENT)
def judgements(params: Annotated[JudgementsQuery, Query()], service: Served) -> dict:
    return service.judgements(service=params.service, level=params.level, council=params.council,
                              year=number(params.year, "year", YEAR_RULE), kind=params.kind,
                              comparison=params.comparison)


@router.get("/letters", summary="The metadata of every indexed letter", response_model=Letters, **AS_SENT)
def letters(service: Served) -> dict:
    return {"letters": service.letters()}


@router.get("/letters/{letter:path}/file", summary="One letter's original file, as it lies in the letters folder",
            response_class=Response, responses={200: {"description": "the file's bytes, as an attachment",
                                                      "content": {"application/octet-stream": {"schema": {
                                                          "type": "string", "format": "binary"}}}},
                                                404: {"model": Error, "description": "no letter of that name"}})
def letter_file(letter: str, service: Served) -> Response:
    try:
        original = service.original(letter)
    except LettersQAError as exc:  # an indexed letter whose file is gone, moved out of the folder or changed
        status = status_of(exc)
        raise ApiError(409 if status == 400 else status, str(exc)) from None
    if original is None:
        raise ApiError(404, NOT_FOUND.format(shorten(letter, 200)))
    return Response(original.data, headers={
        "Content-Type": original.content_type, "Content-Disposition": attachment(original.filename),
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"})


@router.get("/letters/{letter:path}", summary="One letter's text and metadata (its name as in `letter`)",
            response_model=LetterText, **AS_SENT,
            responses={404: {"model": Error, "description": "no letter of that name"}})
def letter(letter: str, service: Served) -> dict:
    found = service.letter(letter)
    if found is None:
        raise ApiError(404, NOT_FOUND.format(shorten(letter, 200)))
    info, text = found
    return {**letter_dict(info), "text": text}


@router.get("/health", summary="Whether the server answers, and what it serves", response_model=Health, **AS_SENT)
def health(service: Served) -> dict:
    return service.health()


@router.post("/letters", summary="Upload letter files to the letters folder and index them (as `letters-qa add`)",
             response_model=Upload, **AS_SENT,
             responses={403: {"model": Error, "description": "this server takes no uploads"},
                        411: {"model": Error}, 413: {"model": Error}, 415: {"model": Error}},
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["files"],
                 "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}})
async def upload(request: Request, service: Served) -> dict:
    service.check_uploads()
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
            return await run_in_threadpool(upload_letters, service, files)
    finally:
        await form.close()




def upload_letters(service: Service, files: list[tuple[Path, str]]) -> dict:
    """Check, save and index uploaded files (Service.add_letters).

    200 when a letter was added or every file was already there; 400 when none could be added;
    409 while another upload runs or when the letters folder lacks indexed letters; a failed
    index update has its own status (409 busy, 503 damaged) and the report beside the error."""
    report = service.add_letters(files)
    result = upload_result(report)
    if report.failure is not None:
        raise ApiError(status_of(report.failure), f"the index was not updated: {report.failure}", **result)
    if not report.ok:
        parts = [f"{s.file}: {s.reason}" for s in report.skipped]
        parts += [f"{a.file}: already there (as {a.letter})" for a in report.already_there]
        raise ApiError(400, f"no letter was added: {'; '.join(parts) or 'no files'}", **result)
    return result


docs = APIRouter(include_in_schema=False)  # /openapi.json and /docs, behind the API's password as every route


@docs.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    schema = request.app.openapi()
    root = request.scope.get("root_path", "").rstrip("/")
    return JSONResponse({**schema, "servers": [{"url": root}]} if root else schema)


@docs.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title=f"{request.app.title} - Swagger UI")


# --- the app ---------------------------------------------------------------------------------


def build_api(service: Service, auth: tuple[str, str] | Guard | None = None) -> FastAPI:
    """The JSON API over `service`, to mount at /api; with `auth`, every route needs HTTP Basic."""
    api = FastAPI(title="letters-qa JSON API", version="1",
                  description="Questions, search, ratings and letters of the indexed Ofsted letters. "
                              "Errors are `{\"error\": \"one line\"}` with a 4xx status.",
                  docs_url=None, redoc_url=None, openapi_url=None)
    api.state.service = service
    gate = password(auth) if auth is not None else None
    guarded = [Depends(gate)] if gate is not None else []
    api.include_router(router, dependencies=guarded)
    api.include_router(docs, dependencies=guarded)

    @api.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status, headers=exc.headers)

    @api.exception_handler(LettersQAError)
    async def library_error(request: Request, exc: LettersQAError):
        extra = {"did_you_mean": list(exc.names)} if isinstance(exc, CouncilNotClear) else {}
        return JSONResponse({"error": str(exc), **extra}, status_code=status_of(exc))

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"error": validation_message(exc)}, status_code=422)

    async def denied(request: Request) -> JSONResponse | None:
        """The password's answer (401, 429) to a request refused before its route's own check, or None."""
        if gate is None:
            return None
        try:
            await gate(request, await BASIC(request))
        except ApiError as refused:
            return await api_error(request, refused)
        return None

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code in (404, 405) and (refused := await denied(request)):  # the password first, as anywhere
            return refused
        message = "no such endpoint; see /api/docs" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    api.middleware("http")(json_body_cap(denied))
    return api


class Utf8Basic(HTTPBasic):
    """fastapi.security.HTTPBasic reading the credentials as UTF-8, as the realm's charset="UTF-8"
    asks of clients (HTTPBasic reads ASCII only, and refuses a malformed header itself: here it is
    a wrong password, which the Guard counts)."""

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:
        scheme, param = get_authorization_scheme_param(request.headers.get("Authorization"))
        if scheme.lower() != "basic":
            return None
        try:
            user, colon, password = b64decode(param, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return HTTPBasicCredentials(username="", password="")
        return HTTPBasicCredentials(username=user, password=password if colon else "")


BASIC = Utf8Basic(realm=REALM, auto_error=False, scheme_name="HTTPBasic",
                  description="the server's USER:PASSWORD (letters-qa serve)")


def password(credentials: tuple[str, str] | Guard):
    """The dependency every route has when the server has a password: HTTP Basic with the server's
    USER:PASSWORD. Wrong credentials are failed logins, throttled per client address by the Guard
    (ui/auth.py), which the server shares with its Gradio routes: each answered after a growing
    delay, and a 429 after MAX_FAILURES in a minute."""
    guard = credentials if isinstance(credentials, Guard) else Guard(credentials)

    async def check(request: Request, given: Annotated[HTTPBasicCredentials | None, Depends(BASIC)]) -> None:
        client = request.client.host if request.client else "unknown"
        if given is not None:
            wait = guard.retry_after(client)
            if wait is not None:
                status, body, headers = too_many(wait)
                raise ApiError(status, body["error"], headers=headers)
            if guard.matches(given.username, given.password):
                guard.succeeded(client)
                return
            await asyncio.sleep(guard.failed(client))
        raise ApiError(401, "this server needs a password: send HTTP Basic credentials (curl -u USER:PASSWORD)",
                       headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})

    return check


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


def json_body_cap(denied):
    """Middleware: POST /ask reads its whole body before validating it, so refuse a body over
    MAX_JSON_BYTES, or one of unstated length, before it is read (uploads have their own cap);
    `denied` (the password's check) answers first."""

    async def cap(request: Request, call_next):
        if request.method == "POST" and request.url.path.rstrip("/").endswith("/ask"):
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                refusal = JSONResponse({"error": "send the JSON body with a Content-Length"}, status_code=411)
            elif int(length) > MAX_JSON_BYTES:
                refusal = JSONResponse({"error": f"the request body is over {MAX_JSON_BYTES // 1024} KB; send one "
                                                 "question and its history"}, status_code=413)
            else:
                return await call_next(request)
            return await denied(request) or refusal
        return await call_next(request)

    return cap
