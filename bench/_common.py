"""What every benchmark shares: the machine, the code version, load averages, result files.

Each benchmark writes one JSON document to `bench/results/NAME.json` (the latest run, kept
in git) and a timestamped copy to `bench/results/raw/` (ignored by git).
But: - nothing here times anything; the scripts use time.perf_counter themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# LETTERS_QA_BENCH_RESULTS: another folder for the result files (tests/test_bench_smoke.py: never bench/results)
RESULTS = Path(os.environ.get("LETTERS_QA_BENCH_RESULTS") or ROOT / "bench" / "results")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    """nproc, CPU model and flags, RAM, Python and library versions."""
    cpu = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "cpu MHz", "cache size") and key not in cpu:
                cpu[key] = value.strip()
            if key == "flags" and "flags" not in cpu:
                flags = value.split()
                cpu["flags"] = sorted(f for f in flags if f.startswith(("avx", "fma", "amx", "sse4")))
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    info = {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu.get("model name"),
        "cpu_mhz": cpu.get("cpu MHz"),
        "cpu_flags": cpu.get("flags"),
        "ram_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gpu": False,
    }
    for module in ("torch", "sentence_transformers", "faiss", "transformers", "numpy"):
        mod = sys.modules.get(module)
        if mod is not None:
            info[module] = getattr(mod, "__version__", None)
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
        info["gpu"] = bool(torch.cuda.is_available())
    return info


def git_state() -> dict:
    """The commit, and a hash of the uncommitted library changes the run measured (others edit the tree)."""

    def run(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""

    diff = run("diff", "HEAD", "--", "index", "qa", "ui")
    return {
        "commit": run("rev-parse", "HEAD").strip(),
        "library_dirty": bool(diff),
        "library_diff_sha256": hashlib.sha256(diff.encode()).hexdigest()[:16] if diff else None,
        "library_dirty_files": run("diff", "HEAD", "--name-only", "--", "index", "qa", "ui").split(),
    }


def median(values) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def percentile(values, q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), q in 0..100."""
    values = sorted(values)
    if not values:
        return None
    pos = (len(values) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def start(name: str, argv: list[str], **settings) -> dict:
    """The result document's head; `finish` completes and writes it."""
    return {
        "benchmark": name,
        "command": " ".join([".venv/bin/python", f"bench/{name}.py", *argv]),
        "settings": settings,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "loadavg_before": loadavg(),
        "git": git_state(),
    }


def finish(doc: dict, out: str | Path | None = None) -> Path:
    doc["loadavg_after"] = loadavg()
    doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    doc["machine"] = machine()
    text = json.dumps(doc, indent=1, sort_keys=False, default=float)
    raw = RESULTS / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / f"{doc['benchmark']}-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text + "\n")
    path = Path(out) if out else RESULTS / f"{doc['benchmark']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


def load_embedder(batch_size: int | None = None):
    """The real embedder with its model loaded and warmed up (load time returned separately)."""
    from index.embedder import BATCH_SIZE, SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(batch_size=batch_size or BATCH_SIZE)
    t0 = time.perf_counter()
    embedder.model  # noqa: B018 - loads it
    load_s = time.perf_counter() - t0
    embedder.embed(["warm up the model", "Private fostering arrangements are good."])
    return embedder, load_s


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def corpus(folder: str | Path, size: int, seed: int = 0) -> tuple[Path, Path]:
    """`folder/letters` with `size` synthetic letters and `folder/extra` with letter number size+1.

    The extra letter is the one `make_corpus(size + 1)` would add, so "add one letter" means
    the same letter every time. Reused when already there.
    """
    import random

    from tools.make_corpus import make_letter

    folder = Path(folder)
    letters, extra = folder / "letters", folder / "extra"
    if letters.is_dir() and extra.is_dir() and len(list(letters.iterdir())) == size and len(list(extra.iterdir())) == 1:
        return letters, extra
    for path in (letters, extra):
        if path.exists():
            import shutil

            shutil.rmtree(path)
        path.mkdir(parents=True)
    rng, used = random.Random(seed), set()
    for i in range(size + 1):
        name, data, _ = make_letter(i, rng, used)
        ((letters if i < size else extra) / name).write_bytes(data)
    return letters, extra


def provenance(index_dir: str | Path) -> dict | None:
    """How bench/make_index.py built this index (model or fake vectors), if it did."""
    path = Path(index_dir).resolve().parent / "make_index.json"
    try:
        built = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    settings = built.get("settings", {})
    return {"vectors": settings.get("vectors", "model"), "built": built.get("started"),
            "seconds": built.get("seconds"), "commit": built.get("git", {}).get("commit")}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, seconds: float, exited) -> None:
    """Poll `url` until it answers 200; SystemExit with `exited()` (the log's tail) if the
    server process ends first, or when `seconds` pass (the server is killed then)."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}:\n{exited()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def stop_process(proc: subprocess.Popen, seconds: float = 20) -> None:
    """Terminate, then kill if it has not ended within `seconds`."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
