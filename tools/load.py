"""Bounded load test: N concurrent users calling /ask and /search on localhost, by two paths.

    .venv/bin/python tools/load.py --index .letters-index --clients 10 50 --seconds 60

Starts `letters-qa serve` on a free 127.0.0.1 port (or uses --url, which must be a
loopback address), then for each path and client count runs that many threads until the
time is up, alternating /ask and /search over a fixed question list. Paths (--paths):
`gradio`, each thread with its own gradio_client.Client (Gradio's queue); `json`, each
thread with its own httpx.Client on the plain JSON API (POST /api/ask, GET /api/search).
Reports requests, errors, throughput and p50/p95 latency per path, and writes JSON.
--distinct makes every request's text new (a request number appended), so each one runs the
encoder instead of the question-vector cache; --encoder-threads 1 2 starts one server per
setting (`letters-qa serve --encoder-threads N`), --rounds times in turn, to compare them.
But: - loopback only, bounded in time and count; it measures the whole HTTP path, not
the library alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python tools/X.py` imports from the repository root

from bench import _common as common

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    ("/ask", "Which councils perform adequately?"),
    ("/search", "private fostering"),
    ("/ask", "What rating did Trafford get?"),
    ("/search", "serious case review judged inadequate"),
    ("/ask", "What did Ofsted say about private fostering in Trafford?"),
    ("/search", "children's homes outstanding"),
    ("/ask", "Which councils are outstanding for staying safe?"),
    ("/search", "care leavers in education employment or training"),
]
MAX_REQUESTS_PER_CLIENT = 10_000


def start_server(index: Path, threads: int = 1) -> tuple[subprocess.Popen, str]:
    port = common.free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--index", str(index), "--port", str(port),
                             "--encoder-threads", str(threads)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    common.wait_until_serving(url, proc, 180, lambda: proc.stderr.read().decode()[-2000:])
    return proc, url


def gradio_caller(url: str):
    from gradio_client import Client

    client = Client(url, verbose=False)
    return lambda api, text: client.predict(text, api_name=api)


def json_caller(url: str):
    import httpx

    client = httpx.Client(base_url=url.rstrip("/") + "/api", timeout=120)

    def call(api: str, text: str):
        if api == "/ask":
            response = client.post("/ask", json={"question": text})
        else:
            response = client.get("/search", params={"q": text})
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        return response.json()

    return call


CALLERS = {"gradio": gradio_caller, "json": json_caller}


def client_loop(url: str, path: str, stop_at: float, offset: int, latencies: list, errors: list,
                lock: threading.Lock, distinct: bool = False) -> None:
    call = CALLERS[path](url)
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if time.time() >= stop_at:
            return
        api, text = QUESTIONS[(offset + i) % len(QUESTIONS)]
        if distinct:  # a text no earlier request sent: the server embeds it anew
            text = f"{text} (request r{offset}n{i})"
        started = time.perf_counter()
        try:
            result = call(api, text)
            ok = isinstance(result, dict) and ("answer" in result or "hits" in result)
            error = None if ok else f"unexpected result: {str(result)[:200]}"
        except Exception as exc:  # every failure counts, whatever its type
            error = f"{type(exc).__name__}: {exc}"[:300]
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append((api, elapsed))
            if error:
                errors.append(error)


def warm_up(url: str) -> None:
    """Every question once, untimed: the model and the index's vectors load on the first ones."""
    call = json_caller(url)
    for api, text in QUESTIONS:
        call(api, f"{text} (warm-up)")


def run(url: str, path: str, clients: int, seconds: float, distinct: bool = False) -> dict:
    latencies: list = []
    errors: list = []
    lock = threading.Lock()
    stop_at = time.time() + seconds
    threads = [threading.Thread(target=client_loop, args=(url, path, stop_at, i, latencies, errors, lock, distinct),
                                daemon=True)
               for i in range(clients)]
    started = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    wall = time.time() - started

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else None

    result = {"path": path, "clients": clients, "seconds": round(wall, 1), "requests": len(latencies),
              "errors": len(errors), "error_samples": errors[:5], "throughput_rps": round(len(latencies) / wall, 2)}
    for api in ("/ask", "/search"):
        values = [t for a, t in latencies if a == api]
        result[api] = {"n": len(values), "p50_ms": pct(values, 0.5), "p95_ms": pct(values, 0.95),
                       "mean_ms": round(statistics.mean(values) * 1000, 1) if values else None}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / ".letters-index")
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (else one is started)")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--paths", nargs="+", choices=sorted(CALLERS), default=["gradio", "json"])
    parser.add_argument("--out", type=Path, default=common.RESULTS / "load.json")
    parser.add_argument("--distinct", action="store_true", help="every request's text new (no cached vector)")
    parser.add_argument("--encoder-threads", type=int, nargs="+", default=[1],
                        help="one server per setting (letters-qa serve --encoder-threads N), in turn")
    parser.add_argument("--rounds", type=int, default=1, help="times through the settings, in turn")
    args = parser.parse_args()
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load tests only target this machine (127.0.0.1)")
    runs = []
    settings = [None] if args.url else [t for _ in range(args.rounds) for t in args.encoder_threads]
    for threads in settings:
        proc, url = (None, args.url) if threads is None else start_server(args.index, threads)
        try:
            warm_up(url)
            for path, clients in [(path, clients) for clients in args.clients for path in args.paths]:
                result = run(url, path, clients, args.seconds, args.distinct) | {
                    "encoder_threads": threads, "distinct": args.distinct, "load": os.getloadavg()[0]}
                runs.append(result)
                print(f"{path:>6} {clients:>3} clients, encoder threads {threads or '?'}, {result['seconds']:>5}s: "
                      f"{result['requests']} requests, {result['errors']} errors, {result['throughput_rps']} req/s; "
                      f"/ask p50 {result['/ask']['p50_ms']} ms p95 {result['/ask']['p95_ms']} ms; "
                      f"/search p50 {result['/search']['p50_ms']} ms p95 {result['/search']['p95_ms']} ms "
                      f"(load {result['load']:.1f})")
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                                    "load_before": os.getloadavg(), "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
