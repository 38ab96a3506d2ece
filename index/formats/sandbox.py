"""Read an untrusted document (PDF, Word, HTML) in a child process with hard limits.

`extract_in_child(data, name)` starts a fresh Python (`sys.executable -I`), sends it the
document's bytes on stdin and gets the letter's text back as JSON on stdout. The child runs
PDFium, lxml and the zip reader; the calling process (the CLI, the server, the indexer) never
does. Before it reads the bytes the child limits itself:

    RLIMIT_AS    its address space at that point + MEMORY_LIMIT (512 MB)
    RLIMIT_CPU   CPU_SECONDS (10 s; SIGXCPU, then SIGKILL one second later)
    RLIMIT_CORE  0 (a crash writes no core file)

and the parent kills it after WALL_SECONDS (30 s: CPU time is the real limit; the wall limit
catches a child that waits or is starved on a busy machine). A document over a limit is a
LetterError with one line: "uses more than 512 MB to read; not a letter", "takes more than
10 s of CPU to read; not a letter", "takes more than 30 s to read; not a letter", or, when the
reader dies any other way, "the PDF reader crashed on it (SIGSEGV); not a letter". Inside the
child the readers stop early on counts of their own (pages, characters, objects, images,
form nesting, unpacked bytes, elements: see pdf.py, docx.py, html.py), so most hostile files
are refused long before a limit.

What a real letter costs (bench/hostile_costs.py, this machine): reading each seed as a PDF
(Chromium-printed), a DOCX or an HTML page peaks at 18-33 MB RSS in the child and takes
0.04-0.23 s of its CPU, the child's start and imports included (the higher figures on a busy
machine). So the limits are about 15 times the memory and 40 times the CPU of a real letter.

Why a subprocess and not multiprocessing: nothing is pickled (the request is the kind and the
limits on the command line and the bytes on stdin, the answer one JSON object of plain strings
and numbers, so a child that a hostile document took over can only send back text), the
parent's `__main__` is never re-imported (forkserver and spawn re-run the caller's script in
every child), and os.wait4 gives the child's own peak memory and CPU. The child imports only
index/formats (the `index` package's __init__ is skipped), so a start costs about 0.05 s. It
runs `python -I` (no environment variables, no current directory on its path) with the caller's
sys.path, so it finds the same packages however they were installed.
But: - at most MAX_CHILDREN documents are read at once; other callers wait their turn (the
wall limit starts when a child starts); - plain text letters are decoded in the caller's
process (pure Python, linear-time, capped at 2 MB: tests/test_linear_time.py).
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from index.errors import LetterError

MEGABYTE = 1024 * 1024
MEMORY_LIMIT = 512 * MEGABYTE  # a real letter's reading peaks at 18-33 MB RSS (see above)
CPU_SECONDS = 10  # a real letter takes 0.04-0.23 s of CPU to read, the child's start included
WALL_SECONDS = 30  # CPU time is the limit; this catches a stalled or starved child
MAX_CHILDREN = max(1, min(4, os.cpu_count() or 1))  # documents read at once
MAX_ANSWER_BYTES = 64 * MEGABYTE  # the child's JSON: text capped at MAX_LETTER_CHARS, escaped at most 6x

_ROOT = Path(__file__).resolve().parent.parent.parent  # the directory that holds index/
_SLOTS = threading.BoundedSemaphore(MAX_CHILDREN)
# The child: index/ as a bare package (its __init__ imports the whole build side), then the reader.
_BOOT = ("import json, sys, types\n"
         "root = sys.argv[1]\n"
         "sys.path[:] = [root, *json.loads(sys.argv[2])]\n"
         "package = types.ModuleType('index')\n"
         "package.__path__ = [root + '/index']\n"
         "sys.modules['index'] = package\n"
         "from index.formats.sandbox import child_main\n"
         "child_main(*sys.argv[3:])\n")
_KINDS = {"PDF": "the PDF reader", "Word file": "the Word reader", "HTML page": "the HTML reader"}
_MEMORY_WORDS = ("MemoryError", "bad_alloc", "out of memory", "Out of memory", "Cannot allocate memory")


def memory_refusal() -> str:
    return f"uses more than {MEMORY_LIMIT // MEGABYTE} MB to read; not a letter"


def cpu_refusal() -> str:
    return f"takes more than {CPU_SECONDS} s of CPU to read; not a letter"


def wall_refusal() -> str:
    return f"takes more than {WALL_SECONDS} s to read; not a letter"


def extract_in_child(data: bytes, name: str, kind: str) -> str:
    """The letter's text from a document's bytes, read in a limited child process (see the
    module docstring); LetterError(name, reason) if it has none or goes over a limit."""
    with _SLOTS:
        answer, status, usage, errors = _run(data, kind)
    if answer is not None:
        if "text" in answer and isinstance(answer["text"], str):
            return answer["text"]
        if answer.get("limit") == "memory":
            raise LetterError(name, memory_refusal())
        if isinstance(answer.get("error"), str):
            raise LetterError(name, answer["error"])
    raise LetterError(name, _death_reason(kind, status, usage, errors))


def _death_reason(kind: str, status: int | None, usage, errors: bytes) -> str:
    """Why a child gave no answer, as one line."""
    if status is None:
        return wall_refusal()
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU or (number == signal.SIGKILL and _cpu(usage) >= CPU_SECONDS):
            return cpu_refusal()
        text = errors.decode("utf-8", "replace")
        if any(word in text for word in _MEMORY_WORDS) or usage.ru_maxrss * 1024 >= MEMORY_LIMIT // 2:
            return memory_refusal()
        try:
            signame = signal.Signals(number).name
        except ValueError:
            signame = f"signal {number}"
        return f"{_KINDS.get(kind, 'the reader')} crashed on it ({signame}); not a letter"
    text = errors.decode("utf-8", "replace")
    if any(word in text for word in _MEMORY_WORDS):
        return memory_refusal()
    last = " ".join(text.strip().splitlines()[-1:])[:200] or f"exit status {os.WEXITSTATUS(status)}"
    return f"{_KINDS.get(kind, 'the reader')} failed on it ({last}); not a letter"


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def _run(data: bytes, kind: str) -> tuple[dict | None, int | None, object, bytes]:
    """Run one child on `data`: (its JSON answer or None, its wait status or None when it was
    killed at the wall limit, its rusage, the tail of its stderr)."""
    process = subprocess.Popen(
        [sys.executable, "-I", "-c", _BOOT, str(_ROOT), json.dumps([p for p in sys.path if p]), kind, str(len(data)),
         str(MEMORY_LIMIT), str(CPU_SECONDS)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True, cwd="/",
        env={"PATH": os.defpath, "LC_ALL": "C.UTF-8", "MALLOC_ARENA_MAX": "1"}, start_new_session=True)
    deadline = time.monotonic() + WALL_SECONDS
    out, err = bytearray(), bytearray()
    finished = False
    try:
        finished = _exchange(process, data, out, err, deadline)
    finally:
        if not finished:
            _kill(process)
        for stream in (process.stdin, process.stdout, process.stderr):
            try:
                stream.close()
            except OSError:
                pass
        status, usage = _reap(process)
    if not finished:
        return None, None, usage, bytes(err)
    answer = None
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and out:
        try:
            answer = json.loads(bytes(out))
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            answer = None
    return answer, status, usage, bytes(err)


def _exchange(process, data: bytes, out: bytearray, err: bytearray, deadline: float) -> bool:
    """Write `data` to the child's stdin and read its stdout and stderr until both end; False
    if the deadline passed first or the answer grew past MAX_ANSWER_BYTES (the child is then
    killed). stdout is kept whole, stderr's last 4 KB."""
    selector = selectors.DefaultSelector()
    view, sent = memoryview(data), 0
    stdin = process.stdin
    os.set_blocking(stdin.fileno(), False)
    if data:
        selector.register(stdin, selectors.EVENT_WRITE)
    else:
        stdin.close()
    selector.register(process.stdout, selectors.EVENT_READ, out)
    selector.register(process.stderr, selectors.EVENT_READ, err)
    try:
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            for key, _ in selector.select(min(left, 1.0)):
                if key.fileobj is stdin:
                    try:
                        sent += os.write(stdin.fileno(), view[sent:sent + 65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        sent = len(data)  # the child stopped reading (it died): its status says why
                    if sent >= len(data):
                        selector.unregister(stdin)
                        stdin.close()
                    continue
                chunk = os.read(key.fileobj.fileno(), 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.data is out:
                    if len(out) + len(chunk) > MAX_ANSWER_BYTES:
                        out.clear()
                        return False
                    out += chunk
                else:
                    err += chunk
                    del err[:-4096]
        return True
    finally:
        selector.close()


def _kill(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: it and anything it started
    except (ProcessLookupError, PermissionError):
        try:
            process.kill()
        except ProcessLookupError:
            pass


def _reap(process) -> tuple[int | None, object]:
    """Wait for the child (os.wait4, for its own peak memory and CPU); kill it if it lingers."""
    for attempt in range(2):
        end = time.monotonic() + (5.0 if attempt == 0 else 60.0)
        while time.monotonic() < end:
            try:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            except ChildProcessError:
                process.returncode = -1
                return None, resource.struct_rusage((0.0,) * 16)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                return status, usage
            time.sleep(0.005)
        _kill(process)  # it closed its pipes but did not exit
    pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return status, usage


# --- the child --------------------------------------------------------------------------------


def _address_space() -> int:
    """This process's virtual memory size in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def child_main(kind: str, size: str, memory: str, cpu_seconds: str) -> None:
    """In the child: import the reader, set the limits (bytes of address space and CPU seconds,
    the parent's MEMORY_LIMIT and CPU_SECONDS), read the bytes from stdin, answer on stdout."""
    from index.formats.read import read_document  # imports the reader for `kind` and everything it needs

    read_document(b"", "x", kind, preload=True)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The process's CPU in all, its start included (about 0.05 s): never more than CPU_SECONDS.
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 1))
    limit = _address_space() + int(memory)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        data = sys.stdin.buffer.read(int(size))
        try:
            answer: dict = {"text": read_document(data, "x", kind)}
        except LetterError as exc:
            answer = {"error": exc.reason}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        answer["maxrss_kb"], answer["cpu"] = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        payload = json.dumps(answer).encode("utf-8")
    except MemoryError:
        payload = b'{"limit": "memory"}'
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()
    os._exit(0)  # no interpreter teardown (it could run out of memory itself)
