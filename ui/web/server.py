"""Serving the web UI: launch() in background threads with the JSON API beside it, serve() until stopped.

But: - one optional shared password (Gradio's login), no user accounts.
"""

import sys
import threading
from pathlib import Path

import gradio as gr

from index.errors import LettersQAError
from index.formats import MAX_DOCUMENT_BYTES
from qa import Assistant
from ui.cli import LOCAL_HOSTS, serve_refusal
from ui.web.app import NO_LETTERS_FOLDER, default_letters_dir
from ui.web.layout import build_app
from ui.web.style import CSS, JS, theme

# Gradio refuses bigger uploads outright; between the two caps the file reaches us and
# is listed as rejected with its size, which is the clearer message.
UPLOAD_CAP_BYTES = 2 * MAX_DOCUMENT_BYTES


def parse_auth(auth: str | tuple[str, str] | None) -> tuple[str, str] | None:
    if not auth:
        return None
    if isinstance(auth, tuple):
        return auth
    user, colon, password = auth.partition(":")
    if not colon or not user or not password:
        raise LettersQAError("--auth must be USER:PASSWORD (or set LETTERS_QA_AUTH)")
    return user, password


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           quiet: bool = True) -> str:
    """Start serving in background threads, the JSON API (ui/api.py) at /api beside the UI; return the local URL.

    With `auth`, every route but the page shell needs it and failed logins are throttled (ui/auth.py).
    """
    from starlette.middleware import Middleware
    from starlette.routing import Mount

    from ui.api import build_api
    from ui.auth import Guard, GuardMiddleware

    guard = Guard(auth) if auth is not None else None
    # Passed as a route of the FastAPI app Gradio creates, so it is there before the server starts.
    routes = [Mount("/api", app=build_api(app.letters_qa_web, guard))] if hasattr(app, "letters_qa_web") else []
    middleware = [Middleware(GuardMiddleware, guard=guard)] if guard is not None else []
    _, url, _ = app.launch(
        server_name=host, server_port=port, auth=auth, prevent_thread_lock=True, quiet=quiet,
        max_file_size=UPLOAD_CAP_BYTES, ssr_mode=False, show_error=False, css=CSS, head=f"<script>{JS}</script>",
        footer_links=["api", "gradio"], theme=theme(), app_kwargs={"routes": routes, "middleware": middleware},
    )
    return url



def serve(index_dir, host: str = "127.0.0.1", port: int = 7860, letters_dir=None,
          auth: str | tuple[str, str] | None = None,
          model: str | None = None, insecure_no_auth: bool = False, allow_uploads: bool = False,
          llm: str | None = None) -> None:
    """Serve the web UI for `index_dir` until interrupted.

    Elsewhere than this machine it needs `auth`, or `insecure_no_auth`, which also turns
    uploads off unless `allow_uploads` (ui.cli.serve_refusal says why it will not start).
    """
    problem = serve_refusal(host, auth, insecure_no_auth, allow_uploads)
    if problem:
        raise LettersQAError(problem)
    credentials = parse_auth(auth)
    assistant = Assistant.open(Path(index_dir), model=model, llm=llm)
    folder = Path(letters_dir) if letters_dir else default_letters_dir(assistant)
    off = NO_LETTERS_FOLDER
    if insecure_no_auth and not allow_uploads:
        folder, off = None, "this server has no password (--insecure-no-auth); --allow-uploads turns them on"
    if host not in LOCAL_HOSTS and credentials is None:
        print(f"letters-qa: warning: serving on {host} without a password: anyone who can reach it can read the "
              f"letters{' and upload new ones' if folder else ''}", file=sys.stderr)
    app = build_app(assistant, folder, uploads_off=off)
    try:
        url = launch(app, host, port, credentials)
    except OSError:  # gradio says only "Cannot find empty port", naming its own launch() arguments
        raise LettersQAError(f"cannot serve on {host} port {port}: the port is in use or the address is not "
                             "this machine's; choose another --port or --host") from None
    uploads = f"uploads go to {folder}" if folder else f"uploads are off: {off}"
    print(f"letters-qa: serving {index_dir} at {url} ({uploads}); press Ctrl+C to stop", flush=True)
    threading.Thread(target=warm_up, args=(assistant,), daemon=True).start()
    app.block_thread()


def warm_up(assistant: Assistant) -> None:
    """Load the model now rather than on the first open question (ratings questions need none)."""
    try:
        assistant.embedder.embed(["warm up"])
    except Exception as exc:  # the first search reports it properly; here it is only a hint
        print(f"letters-qa: warning: the model did not load yet ({exc})", file=sys.stderr)
