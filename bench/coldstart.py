"""Cold start of the command line and the web server, each a fresh process, end to end.

    .venv/bin/python bench/coldstart.py INDEX_DIR [--runs 3] [--port 7871]

Times, from spawning the process to its exit (medians of --runs):
  letters-qa ratings                    goal < 1 s; a separate run checks torch is not imported
  letters-qa ask "<list question>"      answered from the ratings table
  letters-qa ask "<open question>"      loads the model, embeds, retrieves
and `letters-qa serve` from spawn to the first HTTP 200 on its port (with `--browser`, also to
its page loaded in headless Chromium with the question box shown), then its peak RSS
(VmHWM) at that point, and the first and second /search calls through gradio_client.
`--only ratings,ask_list` times just the commands named (and serve only if named: `--only serve`).
But: - the OS file cache is warm after the first run (not dropped: that needs root on the
host and would disturb the other users of the machine), so "cold" means a new process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

LIST_QUESTION = "Which councils perform adequately?"
OPEN_QUESTION = "What did Ofsted say about private fostering?"
PROBE = """
import json, sys
from ui.cli import main
code = main(sys.argv[1:])
print(json.dumps({m: m in sys.modules for m in ("torch", "sentence_transformers", "faiss", "gradio", "numpy")}),
      file=sys.stderr)
"""


def cli() -> list[str]:
    exe = common.ROOT / ".venv" / "bin" / "letters-qa"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui"]


def env() -> dict:
    return os.environ | {"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(common.ROOT)}


def time_command(args: list[str]) -> dict:
    load0 = common.loadavg()
    t0 = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, env=env(), cwd=common.ROOT)
    elapsed = time.perf_counter() - t0
    return {"seconds": elapsed, "rc": proc.returncode, "stdout_bytes": len(proc.stdout),
            "stderr_tail": proc.stderr[-300:], "loadavg_before": load0, "loadavg_after": common.loadavg()}


def imports_of(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env(),
                          cwd=common.ROOT)
    try:
        return json.loads(proc.stderr.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return {"error": proc.stderr[-300:]}


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def time_serve(index_dir: str, port: int, timeout: float = 300, browser=None) -> dict:
    """Spawn to the first HTTP 200; with `browser` (a Playwright browser, started beforehand) also
    spawn to the page open in it with the question box visible (`usable_s`)."""
    load0 = common.loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cli(), "serve", "--index", index_dir, "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env(), cwd=common.ROOT)
    url = f"http://127.0.0.1:{port}/"
    result = {"seconds": None, "loadavg_before": load0}
    try:
        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                result["error"] = f"serve exited with {proc.returncode}: {proc.stderr.read()[-300:]}"
                return result
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        result["seconds"] = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.05)
        if browser is not None and result["seconds"] is not None:
            page = browser.new_page()
            try:
                page.goto(url, timeout=timeout * 1000)
                page.wait_for_selector("#lqa-question textarea", state="visible", timeout=timeout * 1000)
                result["usable_s"] = time.perf_counter() - t0
            finally:
                page.close()
        result["vm_hwm_mb_at_ready"] = vm_hwm_mb(proc.pid)
        result.update(first_searches(url))
        result["vm_hwm_mb_after_searches"] = vm_hwm_mb(proc.pid)
    finally:
        common.stop_process(proc, 20)
    result["loadavg_after"] = common.loadavg()
    return result


def start_browser():
    """Headless Chromium through Playwright, as tests/test_web.py starts it; left to the process's exit."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                      args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                            "--disable-background-networking"])


def first_searches(url: str) -> dict:
    """The first /search call (the model loads then) and a second one, through gradio_client."""
    try:
        from gradio_client import Client
    except ImportError as exc:
        return {"search_error": str(exc)}
    try:
        client = Client(url, verbose=False)
        times = []
        for query in ("private fostering", "care leavers"):
            t0 = time.perf_counter()
            client.predict(query, 5, None, None, api_name="/search")
            times.append(time.perf_counter() - t0)
        return {"first_search_s": times[0], "second_search_s": times[1]}
    except Exception as exc:  # report, do not fail the whole benchmark
        return {"search_error": f"{type(exc).__name__}: {str(exc)[:200]}"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=7871)
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--only", help="comma-separated commands to time (ratings, ask_list, ask_open, help, "
                                       "serve); serve only when named")
    parser.add_argument("--browser", action="store_true",
                        help="also time serve to its page usable in headless Chromium (Playwright, /usr/bin/chromium)")
    parser.add_argument("--out", help="result file (default bench/results/coldstart.json)")
    args = parser.parse_args(argv)
    doc = common.start("coldstart", argv, runs=args.runs, index=args.index_dir)
    from index.manifest import Manifest

    manifest = Manifest.load(Path(args.index_dir))
    doc["index"] = {"dir": args.index_dir, "letters": len(manifest.letters), "chunks": manifest.chunks}
    commands = {
        "ratings": [*cli(), "ratings", "--index", args.index_dir],
        "ask_list": [*cli(), "ask", LIST_QUESTION, "--index", args.index_dir],
        "ask_open": [*cli(), "ask", OPEN_QUESTION, "--index", args.index_dir],
        "help": [*cli(), "--help"],
    }
    if args.only:
        only = set(args.only.split(","))
        unknown = only - set(commands) - {"serve"}
        if unknown:
            parser.error(f"--only: unknown command(s) {', '.join(sorted(unknown))}")
        commands = {name: c for name, c in commands.items() if name in only}
        args.no_serve = "serve" not in only
    doc["commands"] = {name: " ".join(c) for name, c in commands.items()}
    doc["imports"] = {name: imports_of(c[len(cli()):]) for name, c in commands.items() if name != "help"}
    doc["runs"] = {name: [] for name in commands}
    doc["runs"]["serve"] = []
    browser = start_browser() if args.browser and not args.no_serve else None
    for r in range(args.runs):  # round-robin, so load changes fall on every command
        for name, command in commands.items():
            doc["runs"][name].append(time_command(command))
            print(f"  run {r} {name:9s} {doc['runs'][name][-1]['seconds']:6.2f} s  rc {doc['runs'][name][-1]['rc']}  "
                  f"load {common.loadavg()[0]}", flush=True)
        if not args.no_serve and (common.ROOT / "ui" / "web").is_dir():
            doc["runs"]["serve"].append(time_serve(args.index_dir, args.port, browser=browser))
            s = doc["runs"]["serve"][-1]
            print(f"  run {r} serve     {s.get('seconds') or float('nan'):6.2f} s  {s.get('error', '')}"
                  f"{s.get('search_error', '')}", flush=True)
    doc["medians"] = {name: common.median(x["seconds"] for x in runs if x.get("seconds") is not None)
                      for name, runs in doc["runs"].items() if runs}
    serves = doc["runs"]["serve"]
    if serves:
        for key in ("usable_s", "vm_hwm_mb_at_ready", "vm_hwm_mb_after_searches", "first_search_s", "second_search_s"):
            values = [x[key] for x in serves if x.get(key) is not None]
            doc["medians"][f"serve_{key}"] = common.median(values)
    path = common.finish(doc, args.out)
    print(f"\ncold start over {args.index_dir} ({doc['index']['letters']} letters), medians of {args.runs}; {path}")
    for name, value in doc["medians"].items():
        unit = "MiB" if "mb" in name else "s"
        print(f"  {name:32s} {value if value is None else round(value, 3)} {unit}")
    if "ratings" in doc["imports"]:
        imported = doc["imports"]["ratings"]
        print(f"  ratings imports torch: {imported.get('torch')} (goal: no, and < 1 s); faiss: {imported.get('faiss')}")
    print(f"load average before {doc['loadavg_before']}, after {doc['loadavg_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
