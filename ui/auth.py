"""The password of `letters-qa serve`: where it comes from, who must give it, and how fast one may guess.

    where    `--auth-file FILE` (a file holding USER:PASSWORD), the environment's LETTERS_QA_AUTH, or
             `--auth USER:PASSWORD`, which works but warns: any user of the machine reads a process's
             arguments (ps, /proc/PID/cmdline). `credentials()` reads them, one line for any problem.
    who      with a password, every route of the server needs it except the page shell (the page
             itself, which then shows Gradio's login form, its scripts, styles and icons, and the
             login): Gradio's own routes (`/gradio_api/reset`, `cancel`, `heartbeat`, `app_id`, ...,
             `/openapi.json`) through `GuardMiddleware`, the JSON API under /api through its
             `password` dependency (ui/api.py, fastapi.security.HTTPBasic). Either Gradio's login
             cookie or HTTP Basic will do on Gradio's routes; HTTP Basic on the API's.
    how fast `Guard` counts failed logins (a wrong HTTP Basic password, a refused POST /login) per
             client address: each failure is answered after an exponential delay (BASE_DELAY
             doubling, at most MAX_DELAY), and after MAX_FAILURES within WINDOW seconds that
             address gets 429 with Retry-After, right password or not, until the oldest failure
             is WINDOW old. A request that sends no password is not a failure.
But: - one shared password, no accounts; - the address is the connection's (a reverse proxy in
front makes all clients one address: then it throttles them together).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import secrets
import stat
import threading
import time
from collections import OrderedDict, deque
from http.cookies import SimpleCookie
from pathlib import Path

from index.errors import LettersQAError

ENV = "LETTERS_QA_AUTH"
MAX_FAILURES = 10  # failed logins from one address within WINDOW seconds, then 429
WINDOW = 60.0
BASE_DELAY = 0.05  # seconds before the first failure is answered; doubles with each one in the window
MAX_DELAY = 0.5  # small: a person who mistypes waits under a second, a guesser gets 10 tries a minute
MAX_CLIENTS = 10_000  # addresses remembered; the least recently failed are forgotten first
MAX_FILE_BYTES = 4096
ARGV_WARNING = ("a password given with --auth can be read by any user of this machine (ps, /proc); "
                f"put USER:PASSWORD in a file for --auth-file FILE, or in {ENV}")
# What a browser needs before it has logged in: the page (Gradio serves its login form there),
# its scripts, styles, fonts and icons, and the login itself. Everything else needs the password.
PUBLIC_PATHS = {"/", "/login", "/login/", "/logout", "/favicon.ico", "/theme.css", "/gradio_api/theme.css",
                "/robots.txt", "/manifest.json", "/pwa_icon"}
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/pwa_icon/")
STARTUP = "/gradio_api/startup-events"  # open only until it has run once (the server's own call at launch)


def parse(value: str, where: str) -> tuple[str, str]:
    """USER:PASSWORD as (user, password); `where` names its source in the error."""
    user, colon, password = value.strip("\r\n").partition(":")
    if not colon or not user or not password:
        raise LettersQAError(f"{where} must be USER:PASSWORD" + (f" (or set {ENV})" if where == "--auth" else ""))
    return user, password


def read_file(path: str | os.PathLike) -> tuple[tuple[str, str], str | None]:
    """((user, password), a warning or None) from the first line of an --auth-file; the warning
    says when others may read the file."""
    path = Path(path)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise LettersQAError(f"--auth-file {path} is not a regular file")
        if st.st_size > MAX_FILE_BYTES:
            raise LettersQAError(f"--auth-file {path} is {st.st_size:,} bytes; it should hold one line, USER:PASSWORD")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LettersQAError(f"cannot read --auth-file {path} ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise LettersQAError(f"--auth-file {path} is not UTF-8 text") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise LettersQAError(f"--auth-file {path} must hold one line, USER:PASSWORD (it holds {len(lines)})")
    warning = (f"--auth-file {path} can be read by other users (chmod 600 {path})"
               if st.st_mode & (stat.S_IRGRP | stat.S_IROTH) else None)
    return parse(lines[0], f"the line in --auth-file {path}"), warning


def credentials(auth: str | None, auth_file: str | None, environ=os.environ) -> tuple[tuple[str, str] | None,
                                                                                     list[str]]:
    """The server's (user, password) or None, and warnings to print: from --auth-file, else --auth
    (which warns that its password shows in `ps`), else LETTERS_QA_AUTH. LettersQAError, one line,
    for a file that cannot be read, a value that is not USER:PASSWORD, or both flags at once."""
    if auth and auth_file:
        raise LettersQAError("give --auth or --auth-file, not both")
    if auth_file:
        found, warning = read_file(auth_file)
        return found, [warning] if warning else []
    if auth:
        return parse(auth, "--auth"), [ARGV_WARNING]
    value = environ.get(ENV)
    if value:
        return parse(value, ENV), []
    return None, []


# --- throttling ----------------------------------------------------------------------------


class Guard:
    """The server's credentials and its count of failed logins per client address (thread-safe)."""

    def __init__(self, credentials: tuple[str, str], clock=time.monotonic):
        self.user, self.password = credentials
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def matches(self, user: str, password: str) -> bool:
        """Both compared in constant time (no early exit on the user name)."""
        return bool(secrets.compare_digest(user.encode(), self.user.encode())
                    & secrets.compare_digest(password.encode(), self.password.encode()))

    def basic(self, header: str | None) -> bool | None:
        """None when no HTTP Basic credentials were sent, else whether they are the server's."""
        scheme, _, encoded = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        return self.matches(user, password)

    def _recent(self, client: str, now: float) -> deque[float] | None:
        times = self._failures.get(client)
        if times is None:
            return None
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if not times:
            del self._failures[client]
            return None
        return times

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it is not held back."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now)
            if times is None or len(times) < MAX_FAILURES:
                return None
            return max(1, int(times[-MAX_FAILURES] + WINDOW - now + 0.999))

    def failed(self, client: str) -> float:
        """Count a failed login from `client`; the seconds to wait before answering it."""
        with self._lock:
            now = self._clock()
            times = self._recent(client, now) or deque()
            times.append(now)
            self._failures[client] = times
            self._failures.move_to_end(client)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)
            return min(MAX_DELAY, BASE_DELAY * 2 ** (len(times) - 1))

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def client_of(scope: dict) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def too_many(retry_after: int) -> tuple[int, dict, dict]:
    """429's (status, body, headers)."""
    return (429, {"error": f"too many failed logins from this address; try again in {retry_after} s"},
            {"Retry-After": str(retry_after)})


# --- Gradio's routes -------------------------------------------------------------------------


def is_public(method: str, path: str) -> bool:
    """The page shell and the login: what a browser loads before it has the password."""
    if path in ("/login", "/login/"):
        return method == "POST"
    return method in ("GET", "HEAD") and (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES))


class GuardMiddleware:
    """ASGI middleware on the app Gradio serves: every route but the page shell needs the password
    (Gradio's login cookie or HTTP Basic); failed logins (a wrong Basic password, a POST /login
    that Gradio refuses) are throttled by `Guard`. /api is left to ui/api.py's own check, which
    shares the Guard. What it reads of Gradio's app is ui/web/gradio_compat.py's (login_tokens, started)."""

    def __init__(self, app, guard: Guard):
        from ui.web.gradio_compat import login_tokens, started  # the server's, where gradio is loaded already

        self.app, self.guard = app, guard
        self._login_tokens, self._started = login_tokens, started
        self._token: str | None = None  # Gradio's login token that HTTP Basic requests are given

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path == "/api" or path.startswith("/api/"):
            return await self.app(scope, receive, send)
        method = scope.get("method", "GET")
        client = client_of(scope)
        if path in ("/login", "/login/") and method == "POST":
            return await self._login(scope, receive, send, client)
        if is_public(method, path) or (path == STARTUP and not self._started(scope.get("app"))):
            # STARTUP: Gradio's launch() calls it once, without a password, and fails if it cannot.
            return await self.app(scope, receive, send)
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", ())}
        if self._has_cookie(scope, headers.get("cookie")):
            return await self.app(scope, receive, send)
        given = self.guard.basic(headers.get("authorization"))
        wait = self.guard.retry_after(client) if given is not None else None
        if wait is not None:
            return await _respond(scope, send, *too_many(wait))
        if given:
            self.guard.succeeded(client)
            return await self.app(self._as_logged_in(scope, headers.get("cookie")), receive, send)
        if given is False:
            await asyncio.sleep(self.guard.failed(client))
        return await _respond(scope, send, 401, {
            "error": "this server needs a password: log in on its page, or send HTTP Basic credentials"}, {})

    def _has_cookie(self, scope, header: str | None) -> bool:
        """Whether the request carries a login cookie Gradio issued (its app's tokens)."""
        tokens, cookie_id = self._login_tokens(scope.get("app"))
        if not header or not tokens or cookie_id is None:
            return False
        try:
            cookies = SimpleCookie(header)
        except Exception:  # a malformed Cookie header is no login
            return False
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            morsel = cookies.get(name)
            if morsel is not None and morsel.value in tokens:
                return True
        return False

    def _as_logged_in(self, scope, cookie: str | None) -> dict:
        """The request with a login cookie of Gradio's added, so that Gradio's own check (its
        `login_check` on /config, /gradio_api/info, ...) takes HTTP Basic as a login too."""
        tokens, cookie_id = self._login_tokens(scope.get("app"))
        if tokens is None or cookie_id is None:
            return scope
        if self._token is None or tokens.get(self._token) != self.guard.user:
            self._token = secrets.token_urlsafe(16)
            tokens[self._token] = self.guard.user
        value = (f"{cookie}; " if cookie else "") + f"access-token-unsecure-{cookie_id}={self._token}"  # last wins
        headers = [(key, raw) for key, raw in scope.get("headers", ()) if key.lower() != b"cookie"]
        return {**scope, "headers": [*headers, (b"cookie", value.encode("latin-1"))]}

    async def _login(self, scope, receive, send, client: str):
        """Gradio's POST /login, throttled: refused while the address is held back; a refusal
        (Gradio answers 400 "Incorrect credentials") counts as a failure and waits its delay."""
        wait = self.guard.retry_after(client)
        if wait is not None:
            return await _respond(scope, send, *too_many(wait))

        async def counted(message):
            if message["type"] == "http.response.start":
                if message["status"] in (400, 401):
                    await asyncio.sleep(self.guard.failed(client))
                elif message["status"] < 300:
                    self.guard.succeeded(client)
            await send(message)

        return await self.app(scope, receive, counted)


async def _respond(scope, send, status: int, body: dict, headers: dict) -> None:
    if scope["type"] == "websocket":  # refuse the handshake
        await send({"type": "websocket.close", "code": 1008})
        return
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(key.lower().encode(), value.encode()) for key, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})
