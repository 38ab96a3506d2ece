"""Issue 26, item 6: `letters-qa serve`'s password (ui/auth.py).

Failed logins are slowed down per client address and get a 429 after 10 in a minute; the password
comes from --auth-file or LETTERS_QA_AUTH (--auth in argv still works, and warns); and every route
of a real server but the page shell needs it: Gradio's reset, cancel, heartbeat, app_id and
/openapi.json among them (each answered without credentials before this work).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, free_port, stop_server, wait_until_ready

from index.errors import LettersQAError
from ui import auth
from ui.auth import ARGV_WARNING, MAX_FAILURES, Guard, credentials, is_public

USER, PASSWORD = "reader", "s3cret pass:with colon"
LOCKED = ("127.0.0.3", "127.0.0.4")  # source addresses of the throttling tests: 127.0.0.1 stays free

# Gradio's routes that answered without a password before (issue 26), and others that need it.
GUARDED = [("POST", "/gradio_api/reset", {"event_id": "x"}), ("POST", "/gradio_api/cancel",
                                                               {"session_hash": "x", "fn_index": 0, "event_id": "x"}),
           ("GET", "/gradio_api/heartbeat/abc", None), ("GET", "/gradio_api/app_id", None),
           ("GET", "/openapi.json", None), ("GET", "/config", None), ("GET", "/gradio_api/info", None),
           ("GET", "/gradio_api/startup-events", None), ("GET", "/api/health", None)]


# --- where the password comes from --------------------------------------------------------------


def test_an_auth_file_gives_the_password_and_argv_warns(tmp_path):
    path = tmp_path / "auth"
    path.write_text(f"{USER}:{PASSWORD}\n")
    path.chmod(0o600)
    assert credentials(None, str(path), environ={}) == ((USER, PASSWORD), [])
    path.chmod(0o644)
    assert credentials(None, str(path), environ={}) == (
        (USER, PASSWORD), [f"--auth-file {path} can be read by other users (chmod 600 {path})"])
    assert credentials(f"{USER}:{PASSWORD}", None, environ={}) == ((USER, PASSWORD), [ARGV_WARNING])
    assert credentials(None, None, environ={"LETTERS_QA_AUTH": "u:p"}) == (("u", "p"), [])
    assert credentials(None, None, environ={}) == (None, [])
    assert "ps" in ARGV_WARNING and "--auth-file" in ARGV_WARNING and "LETTERS_QA_AUTH" in ARGV_WARNING


@pytest.mark.parametrize(("content", "says"), [
    (None, "cannot read --auth-file {path} (No such file or directory)"),
    ("", "--auth-file {path} must hold one line, USER:PASSWORD (it holds 0)"),
    ("a:b\nc:d\n", "--auth-file {path} must hold one line, USER:PASSWORD (it holds 2)"),
    ("nocolon\n", "the line in --auth-file {path} must be USER:PASSWORD"),
    (":password\n", "the line in --auth-file {path} must be USER:PASSWORD"),
])
def test_a_bad_auth_file_is_one_line(tmp_path, content, says):
    path = tmp_path / "auth"
    if content is not None:
        path.write_text(content)
    with pytest.raises(LettersQAError) as error:
        credentials(None, str(path), environ={})
    assert str(error.value) == says.format(path=path)


def test_auth_and_auth_file_together_are_refused():
    with pytest.raises(LettersQAError, match="give --auth or --auth-file, not both"):
        credentials("u:p", "file", environ={})


# --- throttling -------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failed_logins_wait_longer_each_time_and_the_eleventh_is_held_back():
    clock = Clock()
    guard = Guard((USER, PASSWORD), clock=clock)
    delays = []
    for _ in range(MAX_FAILURES):
        assert guard.retry_after("a") is None
        delays.append(guard.failed("a"))
        clock.now += 1
    assert delays == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert guard.retry_after("a") == 50  # the first failure was 10 s ago: 50 s to go
    assert guard.retry_after("b") is None  # per address
    clock.now += 50.5
    assert guard.retry_after("a") is None  # the first failure is a minute old
    guard.failed("a")
    assert guard.retry_after("a") is not None  # still 10 within the last minute
    guard.succeeded("a")
    assert guard.retry_after("a") is None


def test_the_page_shell_is_all_that_is_public():
    assert all(is_public("GET", path) for path in ("/", "/assets/index-abc.js", "/favicon.ico", "/theme.css",
                                                    "/static/img/logo.svg"))
    assert is_public("POST", "/login")
    assert not any(is_public(method, path) for method, path, _ in GUARDED)
    assert not is_public("POST", "/")


# --- a real server ------------------------------------------------------------------------------


def serve(seeds_index, folder: Path, args: list[str], env: dict | None = None):
    log = folder / "server.log"
    port = free_port()
    environ = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **(env or {})}
    if env is None:
        environ.pop("LETTERS_QA_AUTH", None)
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--index", str(seeds_index), "--port",
                                   str(port), "--letters", str(folder), *args], cwd=ROOT, env=environ,
                                  stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url + "/", server, log)
    return server, url, log


@pytest.fixture(scope="module")
def server(seeds_index, tmp_path_factory):
    """`letters-qa serve --auth-file FILE` on the seeds index."""
    folder = tmp_path_factory.mktemp("auth-server")
    path = folder / "auth"
    path.write_text(f"{USER}:{PASSWORD}\n")
    path.chmod(0o600)
    process, url, log = serve(seeds_index, folder, ["--auth-file", str(path)])
    try:
        yield url, log
    finally:
        stop_server(process)


def request(url: str, method: str, path: str, body, source: str = "127.0.0.1", **kwargs) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=30) as client:
        if method == "GET" and path.startswith("/gradio_api/heartbeat"):  # a stream that stays open
            with client.stream("GET", url + path, **kwargs) as response:
                return response
        return client.request(method, url + path, json=body, **kwargs)


@pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[p for _, p, _ in GUARDED])
def test_every_gradio_route_needs_the_password(server, method, path, body):
    url, log = server
    bare = request(url, method, path, body)
    assert bare.status_code == 401, (path, bare.status_code)
    wrong = request(url, method, path, body, auth=(USER, "wrong"))
    assert wrong.status_code == 401
    right = request(url, method, path, body, auth=(USER, PASSWORD))
    assert right.status_code not in (401, 403, 429), (path, right.status_code)
    assert "Traceback" not in log.read_text()


def test_gradios_login_cookie_opens_the_routes_and_the_page_shell_is_public(server):
    url, _ = server
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/")
        assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
        script = next(part.split('"')[0] for part in page.text.split('src="')[1:] if "assets/" in part.split('"')[0])
        assert client.get(url + "/" + script.lstrip("./")).status_code == 200
        assert client.get("/gradio_api/app_id").status_code == 401
        assert client.post("/login", data={"username": USER, "password": PASSWORD}).status_code == 200
        assert client.get("/gradio_api/app_id").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        assert client.post("/gradio_api/reset", json={"event_id": "x"}).status_code == 200


def test_ten_wrong_passwords_in_a_minute_get_429_and_a_growing_delay(server):
    url, log = server
    source = LOCKED[0]
    took = []
    for _ in range(MAX_FAILURES):
        started = time.monotonic()
        assert request(url, "GET", "/api/health", None, source=source, auth=(USER, "guess")).status_code == 401
        took.append(time.monotonic() - started)
    assert took[4] > took[0] + 0.2 and took[-1] >= 0.45  # 0.05 s, doubling, at most 0.5 s
    held = request(url, "GET", "/api/health", None, source=source, auth=(USER, PASSWORD))
    assert held.status_code == 429 and 50 <= int(held.headers["retry-after"]) <= 60
    assert held.json()["error"].startswith("too many failed logins from this address; try again in ")
    # The same address on Gradio's side is held back too; other addresses are not.
    assert request(url, "GET", "/gradio_api/app_id", None, source=source, auth=(USER, PASSWORD)).status_code == 429
    assert request(url, "GET", "/api/health", None, auth=(USER, PASSWORD)).status_code == 200
    assert "Traceback" not in log.read_text()


def test_ten_refused_gradio_logins_get_429(server):
    url, _ = server
    source = LOCKED[1]
    with httpx.Client(base_url=url, transport=httpx.HTTPTransport(local_address=source), timeout=30) as client:
        for _ in range(MAX_FAILURES):
            assert client.post("/login", data={"username": USER, "password": "guess"}).status_code == 400
        held = client.post("/login", data={"username": USER, "password": PASSWORD})
        assert held.status_code == 429 and "retry-after" in held.headers


def test_the_server_warns_about_a_password_in_argv_only(server, seeds_index, tmp_path):
    _, log = server
    assert "warning" not in log.read_text()  # --auth-file
    process, url, argv_log = serve(seeds_index, tmp_path, ["--auth", f"{USER}:{PASSWORD}"])
    try:
        assert request(url, "GET", "/gradio_api/app_id", None).status_code == 401
        assert f"letters-qa: warning: {ARGV_WARNING}" in argv_log.read_text()
    finally:
        stop_server(process)
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    process, url, env_log = serve(seeds_index, env_dir, [], env={"LETTERS_QA_AUTH": f"{USER}:{PASSWORD}"})
    try:
        assert request(url, "GET", "/openapi.json", None).status_code == 401
        assert request(url, "GET", "/openapi.json", None, auth=(USER, PASSWORD)).status_code == 200
        assert "warning" not in env_log.read_text()
    finally:
        stop_server(process)


def test_the_module_docstring_names_every_limit():
    for name in ("MAX_FAILURES", "WINDOW", "BASE_DELAY", "MAX_DELAY"):
        assert name in auth.__doc__


@pytest.mark.browser
def test_a_browser_logs_in_on_the_page_and_gets_the_app(server):
    """The page shell and Gradio's login form still work behind the middleware."""
    from test_web import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    url, log = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)
            page.goto(url + "/")
            page.get_by_label("username").fill(USER)
            page.get_by_label("password").fill(PASSWORD)
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#lqa-chat")
            page.fill("#lqa-question textarea", "Which councils perform adequately?")
            page.click("#lqa-ask")
            page.wait_for_selector('#lqa-chat [data-testid="bot"]:has-text("Stoke-on-Trent")')
        finally:
            browser.close()
    assert "Traceback" not in log.read_text()
