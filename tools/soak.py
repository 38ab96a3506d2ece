"""Soak test against a live server: questions, killed updates and damaged files, for N minutes.

    .venv/bin/python tools/soak.py [--minutes 5] [--work /tmp/letters-soak] [--seed 0]

Sets up WORK/letters (copies of seeds/) and WORK/pool (synthetic letters from
tools/make_corpus.py), builds WORK/index with `letters-qa index` (the real bundled model),
starts `letters-qa serve` on a free 127.0.0.1 port, then until the time is up:

- a client thread asks the server's /ask and /search (gradio_client) over and over: rating
  questions whose seed councils must be in the answer, open questions, searches;
- the main thread, at random (seeded), either adds one pool letter to WORK/letters and runs
  `letters-qa index` (SIGKILLed half the time after 0-3 s; `letters-qa check` must then pass),
  or flips one byte in place in the current generation's index.sqlite or a vectors*.faiss,
  expects `letters-qa check` to exit 1 naming that file, runs `letters-qa index` (which must
  rebuild from the letters folder) and expects `letters-qa check` to exit 0 again.

At the end: one last update; every valid letter in the folder must be in the manifest
("data lost"), `check` must pass, the server must answer with the latest generation's ratings,
and its log must hold no traceback. Writes bench/results/soak.json; exits 1 when an
invariant failed.
But: - one server and one client thread, loopback only; the seed fixes the choices, not the
timing, so two runs interleave differently. Updates run one at a time (never two at once),
and damage is only injected between updates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python tools/X.py` imports from the repository root

from bench import _common as common

ROOT = common.ROOT
MARKER = ".letters-soak"  # only a folder holding this is ever removed
POOL_SIZE = 30
P_DAMAGE = 0.2  # per event; the rest are additions
P_KILL = 0.5
UPDATE_TIMEOUT_S = 600

# (api, question or query, councils that must be in answer["ratings"])
STOKE, TRAFFORD = "Stoke-on-Trent City Council", "Trafford Metropolitan Borough Council"
STOCKPORT, STOCKTON = "Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council"
QUESTIONS = [
    ("/ask", "Which councils perform adequately?", {STOKE}),
    ("/ask", "Which councils perform well?", {STOCKPORT, STOCKTON, TRAFFORD}),
    ("/ask", "What rating did Trafford get?", {TRAFFORD}),
    ("/ask", "Which councils are outstanding for staying safe?", {STOCKPORT}),
    ("/ask", "What grade did Stockport get for staying safe in 2008?", {STOCKPORT}),
    ("/ask", "What did Ofsted say about private fostering in Trafford?", set()),
    ("/ask", "What is going badly in Stockport?", set()),
    ("/ask", "Who signed the letter to Stoke-on-Trent?", set()),
    ("/ask", "How are care leavers doing?", set()),
    ("/search", "private fostering", set()),
    ("/search", "serious case review judged inadequate", set()),
    ("/search", "children's homes outstanding", set()),
]


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "letters-qa"
    return [str(script)] if script.exists() else [sys.executable, "-m", "ui"]


def env() -> dict:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}


def cli(*args: str, timeout: float = UPDATE_TIMEOUT_S) -> subprocess.CompletedProcess:
    return subprocess.run([*cli_command(), *args], env=env(), capture_output=True, text=True, timeout=timeout)


def one_line(text: str) -> str:
    return " | ".join(line for line in text.strip().splitlines())[:400]


class Work:
    """The work folder: letters/, pool/, index/, server.log."""

    def __init__(self, root: Path):
        self.root = root
        self.letters, self.pool, self.index = root / "letters", root / "pool", root / "index"
        self.log = root / "server.log"

    def create(self, pool_size: int, seed: int) -> None:
        from tools.make_corpus import make_letter

        if self.root.exists():
            if not (self.root / MARKER).exists():
                raise SystemExit(f"{self.root} exists and was not made by tools/soak.py; choose another --work")
            shutil.rmtree(self.root)
        for folder in (self.letters, self.pool):
            folder.mkdir(parents=True)
        (self.root / MARKER).write_text("made by tools/soak.py; removed by its next run\n")
        for seed_letter in sorted((ROOT / "seeds").glob("*.txt")):
            shutil.copyfile(seed_letter, self.letters / seed_letter.name)
        rng, used = random.Random(seed), set()
        for i in range(pool_size):
            name, data, _ = make_letter(i, rng, used)
            (self.pool / name).write_bytes(data)

    def manifest(self) -> dict:
        return json.loads((self.index / "manifest.json").read_text())

    def index_args(self) -> list[str]:
        return ["index", "--letters", str(self.letters), "--index", str(self.index), "--json"]


class Counts:
    """Everything the run counts; the client thread and the main thread both write here."""

    def __init__(self):
        self.lock = threading.Lock()
        self.damaged = threading.Event()  # set from a flipped byte until `check` passes again
        self.requests = {"/ask": 0, "/search": 0}
        self.errors: list[str] = []
        self.errors_while_damaged: list[str] = []
        self.unclear_errors_while_damaged: list[str] = []  # not one line, or a traceback
        self.kills = self.kills_survived = 0
        self.kills_too_late = 0  # the update had already finished when the kill was due
        self.injected = self.detected = self.repaired = 0
        self.letters_added: list[str] = []
        self.updates = self.update_failures = 0
        self.failures: list[str] = []  # invariants that did not hold, one line each
        self.update_seconds: list[float] = []
        self.loadavg: list[list[float]] = []


def ask_loop(url: str, seed: int, stop: threading.Event, counts: Counts) -> None:
    from gradio_client import Client

    rng = random.Random(seed + 1)
    client = Client(url, verbose=False)
    while not stop.is_set():
        api, text, must = rng.choice(QUESTIONS)
        damaged = counts.damaged.is_set()
        try:
            if api == "/ask":
                result = client.predict(text, api_name=api)
            else:
                result = client.predict(text, k=rng.choice([3, 5]), api_name=api)
            error = invalid(api, result, must)
        except Exception as exc:  # every failure counts, whatever its type
            error = f"{type(exc).__name__}: {exc}"
        damaged = damaged or counts.damaged.is_set()
        with counts.lock:
            counts.requests[api] += 1
            if error and damaged:
                counts.errors_while_damaged.append(f"{api} {text!r}: {error[:300]}")
                if "\n" in error.strip() or "Traceback" in error:
                    counts.unclear_errors_while_damaged.append(error[:1000])
            elif error:
                counts.errors.append(f"{api} {text!r}: {error[:300]}")
        stop.wait(0.2)  # leave the shared cores some room


def invalid(api: str, result, must: set[str]) -> str | None:
    """Why `result` is not a valid answer, or None."""
    if not isinstance(result, dict):
        return f"not a JSON object: {str(result)[:200]}"
    if api == "/search":
        hits = result.get("hits")
        if not isinstance(hits, list) or not hits:
            return f"no hits: {str(result)[:200]}"
        return None
    if not isinstance(result.get("answer"), str) or not result["answer"].strip():
        return f"no answer text: {str(result)[:200]}"
    councils = {row.get("council") for row in result.get("ratings") or []}
    if not must <= councils:
        return f"missing {sorted(must - councils)} from the ratings {sorted(councils)}"
    return None


def start_server(work: Work) -> tuple[subprocess.Popen, str]:
    port = common.free_port()
    with open(work.log, "w") as log:
        server = subprocess.Popen([*cli_command(), "serve", "--index", str(work.index), "--letters", str(work.letters),
                                   "--port", str(port)], env=env(), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    common.wait_until_serving(url, server, 300, lambda: work.log.read_text()[-3000:])
    return server, url


def run_update(work: Work, counts: Counts, what: str) -> dict | None:
    """`letters-qa index` to the end; its report, or None (counted as a failure) when it failed."""
    started = time.monotonic()
    done = cli(*work.index_args())
    counts.update_seconds.append(round(time.monotonic() - started, 2))
    counts.updates += 1
    if done.returncode != 0:
        counts.update_failures += 1
        counts.failures.append(f"{what}: `letters-qa index` exited {done.returncode}: {one_line(done.stderr)}")
        return None
    return json.loads(done.stdout)


def check(work: Work) -> tuple[int, dict | None, str]:
    done = cli("check", "--index", str(work.index), "--json", timeout=120)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        report = None
    return done.returncode, report, done.stderr


def add_letter(work: Work, rng: random.Random, counts: Counts, kill_max: float) -> str:
    pool = sorted(p.name for p in work.pool.iterdir() if not (work.letters / p.name).exists())
    if not pool:
        return "pool empty"
    name = rng.choice(pool)
    shutil.copyfile(work.pool / name, work.letters / name)
    counts.letters_added.append(name)
    if rng.random() >= P_KILL:
        report = run_update(work, counts, f"adding {name}")
        return f"added {name}" + ("" if report else " (update FAILED)")
    delay = rng.uniform(0, kill_max)
    started = time.monotonic()
    process = subprocess.Popen([*cli_command(), *work.index_args()], env=env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.wait(timeout=delay)
        counts.kills_too_late += 1
        counts.updates += 1
        counts.update_seconds.append(round(time.monotonic() - started, 2))
        if process.returncode != 0:
            counts.update_failures += 1
            counts.failures.append(f"adding {name}: `letters-qa index` exited {process.returncode}: "
                                   f"{one_line(process.stderr.read().decode(errors='replace'))}")
        return f"added {name} (finished before the kill at {delay:.2f} s)"
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        process.stderr.close()
    counts.kills += 1
    rc, report, stderr = check(work)
    if rc == 0 and report and report.get("ok"):
        counts.kills_survived += 1
        leftovers = len(report.get("leftovers") or [])
        return f"added {name}, update SIGKILLed at {delay:.2f} s; check ok ({leftovers} leftovers)"
    counts.failures.append(f"after a SIGKILL at {delay:.2f} s adding {name}: `letters-qa check` exited {rc}: "
                           f"{one_line(stderr)}")
    return f"added {name}, update SIGKILLed at {delay:.2f} s; check FAILED"


def flip_byte(path: Path, rng: random.Random) -> int:
    """XOR one byte with 0xFF in place (no copy: a segment shared by hard links is damaged everywhere)."""
    offset = rng.randrange(path.stat().st_size)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))
        fh.flush()
        os.fsync(fh.fileno())
    return offset


def damage(work: Work, rng: random.Random, counts: Counts) -> str:
    manifest = work.manifest()
    files = [manifest["database"]["file"], *(segment["file"] for segment in manifest["segments"])]
    name = f"{manifest['data']}/{rng.choice(files)}"
    counts.damaged.set()
    offset = flip_byte(work.index / name, rng)
    counts.injected += 1
    event = f"flipped byte {offset} of {name}"
    rc, report, stderr = check(work)
    named = report is not None and any(f["file"] == name and not f["ok"] for f in report.get("files", []))
    if rc == 1 and named and stderr.strip().count("\n") == 0 and "Traceback" not in stderr:
        counts.detected += 1
        event += "; check exit 1 names it"
    else:
        counts.failures.append(f"{event}: `letters-qa check` exited {rc} without naming it in one line: "
                               f"{one_line(stderr)}")
        event += f"; check exit {rc} NOT DETECTED"
    update = run_update(work, counts, f"repairing {name}")
    rc, _, stderr = check(work)
    if update and "damaged" in (update.get("note") or "") and rc == 0:
        counts.repaired += 1
        counts.damaged.clear()
        return event + f"; update rebuilt it (generation {update['generation']}), check ok"
    counts.failures.append(f"{event}: not repaired: update note {update and update.get('note')!r}, check exit {rc}: "
                           f"{one_line(stderr)}")
    return event + "; NOT REPAIRED"


def final_state(work: Work, counts: Counts, url: str) -> dict:
    """One last update, then: data lost, check, the server answering with the latest generation."""
    update = run_update(work, counts, "the final update") or {"skipped": [], "duplicates": []}
    skipped = {item["file"] for item in update.get("skipped", [])}
    folder = {p.name for p in work.letters.iterdir() if p.is_file()}
    indexed = set(work.manifest()["letters"])
    duplicates = {item["file"] for item in update.get("duplicates", [])}
    lost = sorted(folder - skipped - duplicates - indexed)
    rc, _, stderr = check(work)
    if rc != 0:
        counts.failures.append(f"final `letters-qa check` exited {rc}: {one_line(stderr)}")
    if lost:
        counts.failures.append(f"data lost: {lost}")
    ratings = cli("ratings", "--index", str(work.index), "--json", timeout=120)
    cli_letters = {row["letter"] for row in json.loads(ratings.stdout)["ratings"]} if ratings.returncode == 0 else set()
    server = {"answers": False, "ratings_match_index": False}
    try:
        from gradio_client import Client

        client = Client(url, verbose=False)
        answer = client.predict("Which councils perform adequately?", api_name="/ask")
        server["answers"] = invalid("/ask", answer, {STOKE}) is None
        served = client.predict(api_name="/ratings")
        server["ratings_match_index"] = {row["letter"] for row in served["ratings"]} == cli_letters
    except Exception as exc:  # the verdict, whatever went wrong
        server["error"] = f"{type(exc).__name__}: {exc}"[:300]
    if not (server["answers"] and server["ratings_match_index"]):
        counts.failures.append(f"the server at the end: {server}")
    return {"letters_in_folder": len(folder), "skipped": sorted(skipped), "letters_indexed": len(indexed),
            "lost": lost, "check_exit": rc, "generation": update.get("generation"), "server": server}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/letters-soak"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pool", type=int, default=POOL_SIZE, help="synthetic letters available to add")
    parser.add_argument("--kill-max", type=float, default=3.0, help="latest SIGKILL, seconds after an update starts")
    parser.add_argument("--p-damage", type=float, default=P_DAMAGE, help="chance that an event is damage")
    parser.add_argument("--out", type=Path, default=None, help="result file (default bench/results/soak.json)")
    args = parser.parse_args(argv)
    doc = common.start("soak", sys.argv[1:] if argv is None else argv, minutes=args.minutes, work=str(args.work),
                       seed=args.seed, pool=args.pool, kill_max_s=args.kill_max, p_damage=args.p_damage, p_kill=P_KILL)
    work, counts, rng = Work(args.work.resolve()), Counts(), random.Random(args.seed)
    work.create(args.pool, args.seed)
    started = time.monotonic()
    built = run_update(work, counts, "the first build")
    if built is None:
        raise SystemExit(f"the first build failed: {counts.failures}")
    print(f"built {work.index}: {built['letters']} letters, {built['chunks']} chunks in {counts.update_seconds[-1]} s")
    server, url = start_server(work)
    print(f"serving {url} (log {work.log})")
    stop = threading.Event()
    asker = threading.Thread(target=ask_loop, args=(url, args.seed, stop, counts), daemon=True)
    events: list[str] = []
    try:
        asker.start()
        soak_start = time.monotonic()
        deadline = soak_start + args.minutes * 60
        while time.monotonic() < deadline:
            stop.wait(rng.uniform(0.5, 2.0))
            action = damage if rng.random() < args.p_damage else None
            event = action(work, rng, counts) if action else add_letter(work, rng, counts, args.kill_max)
            line = f"{time.monotonic() - soak_start:6.1f} s  {event}"
            events.append(line)
            counts.loadavg.append(common.loadavg())
            print(line, flush=True)
        soak_s = time.monotonic() - soak_start
        final = final_state(work, counts, url)
    finally:
        stop.set()
        asker.join(timeout=120)
        common.stop_process(server, 30)
    log = work.log.read_text(errors="replace")
    tracebacks = log.count("Traceback")
    if tracebacks:
        counts.failures.append(f"{tracebacks} tracebacks in {work.log}")
    if counts.errors:
        counts.failures.append(f"{len(counts.errors)} errors while the index was whole")
    if counts.unclear_errors_while_damaged:
        counts.failures.append(f"{len(counts.unclear_errors_while_damaged)} errors while damaged were not one line")
    manifest = work.manifest()
    doc.update({
        "minutes": round(soak_s / 60, 2),
        "requests": sum(counts.requests.values()),
        "requests_by_api": counts.requests,
        "errors": len(counts.errors),
        "errors_while_damaged": len(counts.errors_while_damaged),
        "unclear_errors_while_damaged": len(counts.unclear_errors_while_damaged),
        "kills": counts.kills,
        "kills_survived": counts.kills_survived,
        "kills_too_late": counts.kills_too_late,
        "damaged_files_injected": counts.injected,
        "damaged_files_detected": counts.detected,
        "damaged_files_repaired": counts.repaired,
        "letters_added": len(counts.letters_added),
        "updates": counts.updates,
        "update_failures": counts.update_failures,
        "update_seconds": counts.update_seconds,
        "data_lost": len(final["lost"]),
        "tracebacks_in_server_log": tracebacks,
        "final": final,
        "failures": counts.failures,
        "error_samples": counts.errors[:10],
        "errors_while_damaged_samples": counts.errors_while_damaged[:10],
        "events": events,
        "loadavg_during": counts.loadavg,
        "loadavg_max_1min": max((load[0] for load in counts.loadavg), default=None),
        "provenance": {"vectors": "model", "model": manifest["model"], "built_by": "letters-qa index",
                       "total_seconds": round(time.monotonic() - started, 1)},
    })
    path = common.finish(doc, args.out)
    print_summary(doc, path)
    return 1 if counts.failures else 0


def print_summary(doc: dict, path: Path) -> None:
    print(f"\nsoak {doc['minutes']} min, seed {doc['settings']['seed']}, load {doc['loadavg_before']} -> "
          f"{doc['loadavg_after']} (max 1-min {doc['loadavg_max_1min']})")
    print(f"requests            {doc['requests']} {doc['requests_by_api']}")
    print(f"errors              {doc['errors']}")
    print(f"errors while damaged {doc['errors_while_damaged']} (not one line: {doc['unclear_errors_while_damaged']})")
    print(f"kills survived      {doc['kills_survived']} / {doc['kills']} (finished before the kill: "
          f"{doc['kills_too_late']})")
    print(f"damaged files       injected {doc['damaged_files_injected']}, detected {doc['damaged_files_detected']}, "
          f"repaired {doc['damaged_files_repaired']}")
    print(f"letters added       {doc['letters_added']} ({doc['updates']} updates, {doc['update_failures']} failed; "
          f"median {common.median(doc['update_seconds'])} s)")
    print(f"data lost           {doc['data_lost']} ({doc['final']['letters_indexed']} indexed of "
          f"{doc['final']['letters_in_folder']} in the folder, generation {doc['final']['generation']})")
    print(f"server at the end   {doc['final']['server']}")
    print(f"tracebacks in log   {doc['tracebacks_in_server_log']}")
    for failure in doc["failures"]:
        print(f"FAILED: {failure}")
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
