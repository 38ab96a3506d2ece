"""`letters-qa serve`: the web UI (ui/web) and the JSON API (ui/api.py) on one server, over one Service.

serve_refusal says, before anything loads, why settings must not start a server (a public
address without a password, ...); launch() starts one in background threads; serve() runs one
until interrupted. Gradio and FastAPI are imported inside launch(), so the CLI's refusal is instant.

But: - one optional shared password (ui/auth.py), no user accounts.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from index.errors import LettersQAError
from index.formats import MAX_DOCUMENT_BYTES
from qa import Assistant
from qa.spelling import english_words
from ui.auth import parse
from ui.service import NO_LETTERS_FOLDER, Service, default_letters_dir

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")  # `serve` needs no password on these
# Gradio refuses bigger uploads outright; between the two caps the file reaches us and
# is listed as rejected with its size, which is the clearer message.
UPLOAD_CAP_BYTES = 2 * MAX_DOCUMENT_BYTES
NO_PASSWORD_UPLOADS = "this server has no password (--insecure-no-auth); --allow-uploads turns them on"


def serve_refusal(host: str, auth, insecure_no_auth: bool, allow_uploads: bool) -> str | None:
    """Why `serve` must not start with these settings (one line), or None. `auth`: the password from
    --auth, --auth-file or LETTERS_QA_AUTH, in any form (only whether there is one counts)."""
    if auth and insecure_no_auth:
        return "give --auth or --insecure-no-auth, not both (--auth-file and LETTERS_QA_AUTH count as --auth)"
    if allow_uploads and not insecure_no_auth:
        return "--allow-uploads goes with --insecure-no-auth (uploads are already on locally and with --auth)"
    if host not in LOCAL_HOSTS and not auth and not insecure_no_auth:
        return (f"serving on {host} lets anyone who can reach it read the letters: give --auth-file FILE "
                "(USER:PASSWORD), set LETTERS_QA_AUTH or give --auth USER:PASSWORD, or --insecure-no-auth to "
                "serve without a password")
    return None


def launch(service: Service, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           quiet: bool = True):
    """Start serving `service` in background threads: the web UI, and the JSON API at /api beside it.
    Returns (the Gradio app, to close or block on; its local URL).

    With `auth`, every route but the page shell needs it and failed logins are throttled (ui/auth.py).
    """
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Mount

    from ui.api import build_api
    from ui.auth import Guard, GuardMiddleware
    from ui.web import build_app, page_options  # before gradio: ui/web/gradio_compat.py makes its import faster

    guard = Guard(auth) if auth is not None else None
    app = build_app(service)
    # Passed as a route of the FastAPI app Gradio creates, so it is there before the server starts.
    routes = [Mount("/api", app=build_api(service, guard))]
    # Compressed responses (the page and its config: 171 KB -> a fifth); never the event streams.
    middleware = [Middleware(GZipMiddleware, minimum_size=1024)]
    middleware += [Middleware(GuardMiddleware, guard=guard)] if guard is not None else []
    _, url, _ = app.launch(
        server_name=host, server_port=port, auth=auth, prevent_thread_lock=True, quiet=quiet,
        max_file_size=UPLOAD_CAP_BYTES, show_error=False, app_kwargs={"routes": routes, "middleware": middleware},
        **page_options(),
    )
    return app, url


def serve(index_dir, host: str = "127.0.0.1", port: int = 7860, letters_dir=None,
          auth: str | tuple[str, str] | None = None,
          model: str | None = None, insecure_no_auth: bool = False, allow_uploads: bool = False,
          llm: str | None = None, threads: int = 1) -> None:
    """Serve the web UI and the JSON API for `index_dir` until interrupted; `threads`: the encoder's
    per question (one by default: concurrent requests use the cores instead, docs/performance.md).

    Elsewhere than this machine it needs `auth` (USER:PASSWORD or a pair), or `insecure_no_auth`,
    which also turns uploads off unless `allow_uploads` (serve_refusal says why it will not start).
    """
    problem = serve_refusal(host, auth, insecure_no_auth, allow_uploads)
    if problem:
        raise LettersQAError(problem)
    credentials = parse(auth, "--auth") if isinstance(auth, str) else auth
    assistant = Assistant.open(Path(index_dir), model=model, llm=llm, threads=threads)
    folder = Path(letters_dir) if letters_dir else default_letters_dir(assistant)
    off = NO_LETTERS_FOLDER
    if insecure_no_auth and not allow_uploads:
        folder, off = None, NO_PASSWORD_UPLOADS
    if host not in LOCAL_HOSTS and credentials is None:
        print(f"letters-qa: warning: serving on {host} without a password: anyone who can reach it can read the "
              f"letters{' and upload new ones' if folder else ''}", file=sys.stderr)
    try:
        app, url = launch(Service(assistant, folder, uploads_off=off), host, port, credentials)
    except OSError:  # gradio says only "Cannot find empty port", naming its own launch() arguments
        raise LettersQAError(f"cannot serve on {host} port {port}: the port is in use or the address is not "
                             "this machine's; choose another --port or --host") from None
    uploads = f"uploads go to {folder}" if folder else f"uploads are off: {off}"
    print(f"letters-qa: serving {index_dir} at {url} ({uploads}); press Ctrl+C to stop", flush=True)
    threading.Thread(target=warm_up, args=(assistant,), daemon=True).start()
    app.block_thread()


def warm_up(assistant: Assistant) -> None:
    """Read the tables, and what the first page and the first question derive from them, and load the
    model now rather than on the first page or open question: at 10,000 letters the first page's load
    read the tables for ~2 s, and the first question (a ratings lookup) took ~0.5 s more than the
    next, building the question parser's council tables and finding the conflicting ratings; one
    lookup asked here builds both. Ratings questions need no model."""
    try:
        letters, reader = assistant.letters(), assistant.reader
        reader.judgements, reader.unsearchable  # cached on first read (the ratings are read when it opens)
        if letters:
            assistant.ask(f"What rating did {letters[0].short_name} get?", generative=False)
        assistant.embedder.embed(["warm up"])
        english_words()  # the word list a misspelt word is checked against (~0.5 s to load)
    except Exception as exc:  # the first search reports it properly; here it is only a hint
        print(f"letters-qa: warning: the model did not load yet ({exc})", file=sys.stderr)
