"""What the web UI's page weighs at scale, and how soon a question asked right after it opens is answered
(issue 25: <= 300 KB and <= 1 s at 10,000 letters).

    .venv/bin/python bench/web_page.py INDEX [--runs 3] [--question Q]
    .venv/bin/python bench/make_index.py 10000 /tmp/big --fake-vectors   # then INDEX is /tmp/big/index

Serves INDEX as `letters-qa serve` does (ui.serve.launch, on a free local port; the fake
embedder of bench/make_index.py, since the question timed is a ratings lookup, answered from the
table, never from vectors) and opens it in headless Chromium (/usr/bin/chromium), fresh each run.
The page's weight is every byte the server sends it (counted by a TCP proxy in front of the
server, headers and event streams included) from the navigation until the page has settled (its
load event answered, then 3 s without a byte), split into Gradio's own static files (its
JavaScript, CSS and fonts, the same for any index and cached by the browser after the first visit;
Chromium's network events size them) and the rest: the HTML and config, the data the load event
sends, which grows with the index, and the answer. Then the question is typed and sent at once; the
time is from the click to its answer in the chat. Prints the medians and writes bench/results/web_page.json.
But: - one browser, one page at a time, each run's figures reported; the server is warmed up as
`serve` warms it (its tables read) before the first.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common
from bench.make_index import FakeEmbedder

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
BOT = '#lqa-chat [data-testid="bot"]'
SETTLE_MS = 3000  # no byte received for this long (after its load event answered): the page has settled
SETTLE_MAX_S = 30  # ... or this long after the answer, whichever comes first (the run says which)
LOADS = [0]  # page loads the server has answered (WebApp.load, counted by count_loads)


def count_loads() -> None:
    """Count WebApp.load's returns in LOADS (once; before build_app, which binds the handler)."""
    from ui.web.app import WebApp

    load = WebApp.load
    if getattr(load, "counted", False):
        return

    def counted(self, *filters):
        try:
            return load(self, *filters)
        finally:
            LOADS[0] += 1

    counted.counted = True
    WebApp.load = counted


class CountingProxy:
    """A TCP proxy in front of the server that counts the bytes it sends to the browser: the page's
    true weight on the wire, headers and event streams included (Chromium's own network events miss
    parts of Gradio's event stream)."""

    def __init__(self, port: int):
        self.sent = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._target = port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._server.accept()
            upstream = socket.create_connection(("127.0.0.1", self._target))
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source, sink, counted: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if counted:
                    with self._lock:
                        self.sent += len(chunk)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def one_visit(browser, url: str, question: str, proxy: CountingProxy) -> dict:
    """Open the page fresh; its bytes (static / data) and the seconds from Ask to the answer."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls, received = {}, {}
    last = [time.monotonic()]

    def on_request(event):
        urls[event["requestId"]] = event["request"]["url"]

    def on_data(event):
        received[event["requestId"]] = received.get(event["requestId"], 0) + event["encodedDataLength"]
        last[0] = time.monotonic()

    def on_finished(event):  # the headers too, where the response was whole
        received[event["requestId"]] = max(received.get(event["requestId"], 0), event["encodedDataLength"])
        last[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.dataReceived", on_data)
    cdp.on("Network.loadingFinished", on_finished)
    loads_before, sent_before = LOADS[0], proxy.sent
    began = time.monotonic()
    page.goto(url)
    page.wait_for_selector("#lqa-question textarea")
    opened = time.monotonic() - began
    # Right after the page opens, as a person would: not after its load events have finished.
    page.fill("#lqa-question textarea", question)
    asked = time.monotonic()
    page.click("#lqa-ask")
    page.wait_for_function(f"""() => {{ const b = document.querySelectorAll('{BOT}');
        return b.length && !b[b.length - 1].querySelector('.lqa-pending'); }}""", timeout=120_000)
    answered = time.monotonic() - asked
    # The page's load event has answered (LOADS counts WebApp.load's returns), and its data has arrived.
    # A page that keeps a stream open (Gradio's heartbeat) never goes quiet: wait SETTLE_MAX_S at most.
    deadline = time.monotonic() + SETTLE_MAX_S
    while (LOADS[0] < loads_before + 1 or time.monotonic() - last[0] < SETTLE_MS / 1000) \
            and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    settled = time.monotonic() < deadline
    static = sum(n for rid, n in received.items() if "/assets/" in urls.get(rid, "") or
                 urls.get(rid, "").endswith((".js", ".css", ".woff2", ".svg", ".png", ".ico")))
    total = proxy.sent - sent_before
    heaviest = sorted(((n, urls.get(rid, rid)) for rid, n in received.items()), reverse=True)[:6]
    context.close()
    return {"opened_s": round(opened, 3), "answered_s": round(answered, 3), "settled": settled,
            "static_kb": round(static / 1024, 1),
            "data_kb": round((total - static) / 1024, 1), "total_kb": round(total / 1024, 1),
            "heaviest": [f"{n / 1024:.1f} KB {url.split('?')[0]}" for n, url in heaviest]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", help="an index folder (bench/make_index.py N FOLDER --fake-vectors: FOLDER/index)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", help="default: 'What rating did C get?' for the index's first council")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from qa import Assistant
    from ui.serve import launch, warm_up
    from ui.service import Service

    doc = common.start("web_page", argv, index=args.index, runs=args.runs)
    count_loads()
    assistant = Assistant.open(args.index, embedder=FakeEmbedder())
    letters = assistant.letters()
    question = args.question or f"What rating did {letters[0].short_name} get?"
    doc.update(letters=len(letters), question=question)
    warm_up(assistant)  # as `letters-qa serve` does, before the first page
    app, url = launch(Service(assistant), "127.0.0.1", common.free_port())
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            proxy = CountingProxy(int(url.rstrip("/").rsplit(":", 1)[1]))
            runs = [one_visit(browser, f"http://127.0.0.1:{proxy.port}/", question, proxy) for _ in range(args.runs)]
            browser.close()
    finally:
        app.close()
    doc["runs"] = runs
    for key in ("opened_s", "answered_s", "static_kb", "data_kb", "total_kb"):
        doc[f"median_{key}"] = statistics.median(r[key] for r in runs)
    print(f"{len(letters):,} letters; question {question!r}")
    for i, r in enumerate(runs):
        print(f"  run {i + 1}: page {r['data_kb']:,} KB of data + {r['static_kb']:,} KB of Gradio's static files; "
              f"opened in {r['opened_s']} s; answered {r['answered_s']} s after Ask")
    print(f"median: data {doc['median_data_kb']:,} KB, answered in {doc['median_answered_s']} s")
    common.finish(doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
