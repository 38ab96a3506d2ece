"""letters-qa: a thin command line over `index` and `qa`.

Each command validates its input, calls one library function and prints (one JSON
document with --json). Exit 0 ok, 1 a failure with a one-line reason on stderr, 2 a usage
error. Heavy imports (torch, gradio) happen inside the commands that need them, so
`--help` and `ratings` are instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

DEFAULT_INDEX = ".letters-index"
DEFAULT_LETTERS = "seeds"
# Python hands over argv bytes that are not UTF-8 as lone surrogates ("\xff" -> "\udcff").
# Text to search for loses them (U+FFFD); paths keep them, as the OS needs the same bytes back.
TEXT_ARGS = ("question", "query", "council")
PATH_ARGS = ("index", "letters", "gold", "model", "auth_file")
COUNCIL_HELP = ("only this council (full or short name; a misspelling of one council is read as it, with a note "
                "on stderr)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = clean_args(args)
    if problem:
        print(f"letters-qa: error: {problem}", file=sys.stderr)
        return 2
    if hasattr(sys.stdout, "reconfigure"):  # a path that is not UTF-8 is printed escaped, not a crash
        sys.stdout.reconfigure(errors="backslashreplace")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _show_library_logs()
    from index.errors import LettersQAError

    try:
        return args.func(args) or 0
    except LettersQAError as exc:
        print(f"letters-qa: error: {exc}", file=sys.stderr)
        return 2 if getattr(exc, "usage", False) else 1  # usage: an ArgumentError (-k 101, --kind nope)
    except KeyboardInterrupt:
        print("letters-qa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


class _KindsHelp(str):
    """--kind's help, naming every kind index.kinds knows; written out only when the help is shown
    (argparse fills help strings in with %), so `--help` does not import the index package."""

    def __mod__(self, params) -> str:
        from index.kinds import KEYS

        return f"{self} ({', '.join(KEYS)})"


class _Stderr(logging.StreamHandler):
    """A handler that writes to sys.stderr as it is when a message comes (tests swap it)."""

    letters_qa = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _show_library_logs() -> None:
    """The library's diagnostics (index/, qa/: `logging`, warnings and up) on stderr, as "letters-qa: ...";
    once, however often main runs in one process."""
    for name in ("index", "qa", "ui"):
        logger = logging.getLogger(name)
        if not any(getattr(h, "letters_qa", False) for h in logger.handlers):
            handler = _Stderr()
            handler.setFormatter(logging.Formatter("letters-qa: %(message)s"))
            logger.addHandler(handler)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", default=os.environ.get("LETTERS_QA_INDEX", DEFAULT_INDEX),
                        help=f"index folder (default {DEFAULT_INDEX}/, env LETTERS_QA_INDEX)")
    common.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    model = argparse.ArgumentParser(add_help=False)
    model.add_argument("--model", default=os.environ.get("LETTERS_QA_MODEL"),
                       help="sentence-transformers model name or path (default: the index's, else the bundled "
                            "all-MiniLM-L6-v2; env LETTERS_QA_MODEL)")

    parser = argparse.ArgumentParser(prog="letters-qa", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    p = sub.add_parser("index", parents=[common, model], help="build or update the index from a folder of letters")
    p.add_argument("--letters", default=DEFAULT_LETTERS, help=f"letters folder (default {DEFAULT_LETTERS}/)")
    p.add_argument("--rebuild", action="store_true", help="re-embed every letter (also repairs a damaged index)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("add", parents=[common, model],
                       help="check letter files, copy them into the letters folder and update the index")
    p.add_argument("files", nargs="+", metavar="FILE", help="letter files to add")
    p.add_argument("--letters", default=None,
                   help="letters folder to copy them into (default: the folder the index was built from)")
    p.set_defaults(func=cmd_add)

    generative = argparse.ArgumentParser(add_help=False)
    generative.add_argument("--llm", metavar="MODEL", default=os.environ.get("LETTERS_QA_LLM") or None,
                            help="word open questions with this model of the llm library (e.g. SmolLM2; `llm models` "
                                 "lists them), each sentence checked against the letters (env LETTERS_QA_LLM; "
                                 "needs `make llm`); ratings answers stay exact")

    p = sub.add_parser("ask", parents=[common, model, generative], help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--stream", action="store_true",
                   help="with --llm: print each of the model's sentences once it checks out, then the sources")
    p.add_argument("--all", action="store_true",
                   help="quote every passage that holds the question's words, grouped by council (not the best few)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", parents=[common, model], help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages, 1 to 100 (default 5)")
    p.add_argument("--council", help=COUNCIL_HELP)
    p.add_argument("--year", type=int, help="only letters of this year")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ratings", parents=[common], help="the extracted ratings table")
    p.add_argument("--council", help=COUNCIL_HELP)
    p.add_argument("--year", type=int, help="only this year")
    p.add_argument("--kind", help=_KindsHelp("only this letter kind"))
    p.set_defaults(func=cmd_ratings)

    p = sub.add_parser("judgements", parents=[common], help="the extracted judgements of services")
    p.add_argument("--service", help="only this service (private_fostering, childrens_homes, ...: index/services.py)")
    p.add_argument("--level", help="only this level (outstanding, good, adequate, inadequate)")
    p.add_argument("--council", help=COUNCIL_HELP)
    p.add_argument("--year", type=int, help="only this year")
    p.add_argument("--kind", help="only this letter kind")
    # index.services.COMPARISONS, written out: importing the index package would slow `--help` 2x
    p.add_argument("--comparison", choices=("above", "in_line", "below"),
                   help="only this comparison with similar areas")
    p.set_defaults(func=cmd_judgements)

    p = sub.add_parser("check", parents=[common], help="verify every file of the index against its checksums")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", parents=[common, model, generative], help="serve the web UI and its HTTP API")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--letters", default=None, help="folder uploads are saved into (default: the index's)")
    p.add_argument("--auth", default=None,
                   help="USER:PASSWORD required to use the UI; needed to bind elsewhere than this machine. Any user "
                        "of the machine can read it in `ps`: prefer --auth-file or LETTERS_QA_AUTH (it warns)")
    p.add_argument("--auth-file", default=None, metavar="FILE",
                   help="a file holding USER:PASSWORD on one line (chmod 600), instead of --auth")
    p.add_argument("--insecure-no-auth", action="store_true",
                   help="bind elsewhere than this machine without a password (uploads are then off)")
    p.add_argument("--allow-uploads", action="store_true", help="with --insecure-no-auth: accept uploads all the same")
    p.add_argument("--encoder-threads", type=_positive, default=1, metavar="N",
                   help="threads the encoder uses for one question (default 1: concurrent requests use the cores)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", parents=[common, model], help="retrieval and answer metrics on a gold set")
    p.add_argument("gold", help="JSON lines: question, councils, phrase, ... (see tests/gold.jsonl)")
    p.add_argument("-k", type=_positive, default=5, help="retrieval depth for recall@k and MRR (default 5)")
    p.set_defaults(func=cmd_eval)
    return parser


def clean_args(args: argparse.Namespace) -> str | None:
    """Make text arguments valid Unicode in place; the reason to refuse the others, or None."""
    from qa.query import clean_text

    for name, value in list(vars(args).items()):
        if not isinstance(value, str) or clean_text(value) == value:
            continue
        if name in TEXT_ARGS:
            setattr(args, name, clean_text(value))
        elif name not in PATH_ARGS:
            return f"--{name} holds bytes that are not UTF-8; give it as UTF-8 text"
    return None


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _emit(args, document: dict, text: str) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=1) if args.json else text)


def _assistant(args, llm: str | None = None):
    from qa import Assistant

    # One encoder thread, as the server: a second one won ~1 ms a question on an idle machine and lost
    # ~12 ms on a busy one (docs/performance.md, "Encoder threads").
    return Assistant.open(args.index, model=getattr(args, "model", None), llm=llm)


def cmd_index(args) -> int:
    from index.update import update_index

    progress = None if args.json or not sys.stderr.isatty() else _progress_bar()
    report = update_index(args.letters, args.index, model=args.model, rebuild=args.rebuild, progress=progress)
    lines = [f"index {report.index_dir} (generation {report.generation}, model {report.model}): "
             f"{report.letters} letters, {report.chunks} chunks, {report.embedded_chunks} embedded now"]
    if report.note:
        lines.append(report.note)
    for label, names in (("added", report.added), ("updated", report.updated), ("removed", report.removed),
                         ("unchanged", report.unchanged)):
        lines.append(f"{label}: {len(names)}" + (f"  {', '.join(names)}" if names and label != "unchanged" else ""))
    lines.append(f"skipped: {len(report.skipped)}")
    lines += [f"  {s['file']}: {s['reason']}" for s in report.skipped]
    lines += [f"duplicate: {d['file']} (" + ("the same letter as {}, in another format" if d.get("same_text") else
                                             "same content as {}").format(d["same_as"]) + "; indexed once)"
              for d in report.duplicates]
    lines += [f"generic letter: {name} (an Ofsted letter of no known kind: indexed and searchable, no ratings)"
              for name in report.generic]
    lines += _warnings("warning: ", report.unsearchable)
    lines += _conflict_lines("warning: ", report.conflicts)
    _emit(args, report.to_dict(), "\n".join(lines))
    return 0


def cmd_add(args) -> int:
    from index.intake import add_letters, recorded_letters_dir
    from index.scan import printable_name

    folder = Path(args.letters) if args.letters else recorded_letters_dir(args.index)
    if folder is None:
        print(f"letters-qa: error: the index in {args.index} records no letters folder that exists; "
              "give the folder to copy the letters into with --letters DIR", file=sys.stderr)
        return 2
    progress = None if args.json or not sys.stderr.isatty() else _progress_bar()
    files = [(Path(path), printable_name(path)) for path in args.files]
    report = add_letters(files, folder, args.index, model=args.model, progress=progress)
    lines = [f"Added {_shown(folder, a.letter, a.file)}: {a.describe()}." for a in report.added]
    other_format = ", the same letter in another format"
    lines += [f"Already there: {a.file} (as {folder / a.letter}{other_format if a.same_text else ''}): {a.describe()}."
              for a in report.already_there]
    lines += [f"Skipped {s.file}: {s.reason}" for s in report.skipped]
    if report.update is not None:
        update = report.update
        lines.append(f"Index {update.index_dir}: {update.letters} letters, {update.chunks} chunks "
                     f"(generation {update.generation}, {update.embedded_chunks} embedded now).")
    lines += _conflict_lines("Check: ", report.conflicts)
    _emit(args, report.to_dict(), "\n".join(lines))
    if report.failure is not None:
        print(f"letters-qa: error: the letters were copied but the index was not updated: {report.failure}",
              file=sys.stderr)
    elif not report.ok:
        print("letters-qa: error: no letter was added" + (" (see above)" if not args.json else ""), file=sys.stderr)
    return 0 if report.ok else 1


def _shown(folder: Path, letter: str, given: str) -> str:
    """'seeds/x.txt', or 'x 1.txt as seeds/x_1.txt' where it was saved under another name."""
    saved = str(folder / letter)
    return saved if Path(given).name == letter else f"{given} as {saved}"


def _progress_bar():
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="embedding chunks", unit="chunk", file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def cmd_ask(args) -> int:
    if args.stream and args.json:
        print("letters-qa: error: --stream prints text as it comes; leave out --json (or --stream)", file=sys.stderr)
        return 2
    assistant = _assistant(args, llm=args.llm)
    if args.stream:
        return _ask_streaming(assistant, args.question)
    answer = assistant.ask(args.question, all=args.all)
    _emit(args, answer.to_dict(), _answer_text(answer))
    return 0


def _ask_streaming(assistant, question: str) -> int:
    """The model's sentences as they are written, each once it has passed the checks (nothing
    unchecked is printed), then the sources; when none passed, the excerpts instead."""
    from index.words import plural
    from qa.answer import Answer

    streamed, answer = False, None
    for item in assistant.ask_stream(question):
        if isinstance(item, Answer):
            answer = item
            continue
        if not streamed:
            print("[the model's sentences, each printed once it checks out against the letters]", file=sys.stderr,
                  flush=True)
            streamed = True
        print(item, end="", flush=True)
    if not streamed:  # not a question for the model, or no sentence passed: the answer as `ask` prints it
        print(_answer_text(answer))
    elif answer.composer != "extractive":
        left_out = len(answer.dropped)
        note = "every sentence passed" if answer.verified else \
            f"{plural(left_out, 'sentence')} that did not check out left out"
        print(f"\n\n[checked: {note}]\n{_sources_text(answer)}")
    else:
        print(f"\n\n[checked answer]\n{_answer_text(answer)}")
    return 0


def _answer_text(answer) -> str:
    return f"{answer.text}\n\n{_sources_text(answer)}" if answer.citations else answer.text


def _sources_text(answer) -> str:
    return "Sources:\n" + "\n".join(f"[{i}] {c.title} ({c.letter}, chars {c.start}-{c.end}): "
                                     f"{' '.join(c.text.split())}" for i, c in enumerate(answer.citations, 1))


def _council_notes(assistant, council) -> dict:
    """How --council was read (Assistant.read_councils): a note on stderr when it was not read as
    written ("council "stockprt" read as Stockport") or selects nothing, and the same as JSON
    fields ("notes", "council_filter") to add to the document. A misspelling as close to several
    councils raises CouncilNotClear: exit 2 with the councils it could be."""
    from qa.retriever import council_notes

    fields = council_notes(assistant.read_councils(council))
    for note in fields.get("notes", ()):
        print(f"note: {note}", file=sys.stderr)
    return fields


def cmd_search(args) -> int:
    assistant = _assistant(args)
    notes = _council_notes(assistant, args.council)
    hits = assistant.search(args.query, k=args.k, council=args.council, year=args.year)
    text = "\n\n".join(f"{i}. {h.council} {h.year} - {h.section} ({h.letter}, chars {h.start}-{h.end}, "
                       f"score {h.score:.4f})\n   {' '.join(h.text.split())}" for i, h in enumerate(hits, 1))
    _emit(args, {"query": args.query, "hits": [h.to_dict() for h in hits], **notes}, text or "no passages found")
    return 0


def cmd_ratings(args) -> int:
    from index.kinds import scale_key
    from qa.answer import rating_dict

    assistant = _assistant(args)
    notes = _council_notes(assistant, args.council)
    rows = assistant.ratings(council=args.council, year=args.year, kind=args.kind)
    if args.json:
        _emit(args, {"ratings": [rating_dict(r) for r in rows], **notes}, "")
        return 0
    table = [("council", "year", "kind", "area", "label", "grade", "scale", "letter")]
    table += [(r.council, str(r.year), r.kind, r.area, r.label, str(r.grade), scale_key(r.kind), r.letter)
              for r in rows]
    _emit(args, {}, _columns(table) if rows else "no ratings found")
    return 0


MAX_WARNINGS = 20  # letters named one per line; --json lists them all


def _warnings(lead: str, unsearchable: list[dict]) -> list[str]:
    """One line per letter a search would not find as it should, the first MAX_WARNINGS of them."""
    lines = [f"{lead}{u['letter']}: {u['problem']}" for u in unsearchable[:MAX_WARNINGS]]
    if len(unsearchable) > MAX_WARNINGS:
        lines.append(f"{lead}... and {len(unsearchable) - MAX_WARNINGS:,} more letters (--json lists them all)")
    return lines


def _conflict_lines(lead: str, conflicts: list[dict]) -> list[str]:
    """One line per pair of letters of one kind, council and year whose ratings differ (index/conflicts.py)."""
    lines = [f"{lead}conflict: {c['problem']}" for c in conflicts[:MAX_WARNINGS]]
    if len(conflicts) > MAX_WARNINGS:
        lines.append(f"{lead}... and {len(conflicts) - MAX_WARNINGS:,} more conflicts (--json lists them all)")
    return lines


def _columns(table: list[tuple[str, ...]]) -> str:
    """Rows as aligned text columns, the first row the header."""
    widths = [max(map(len, column)) for column in zip(*table)]
    line = "  ".join(f"{{:{w}}}" for w in widths)  # one format string: 10,000 letters have ~28,000 rows
    return "\n".join(line.format(*row).rstrip() for row in table)


def cmd_judgements(args) -> int:
    from qa.answer import judgement_dict

    assistant = _assistant(args)
    notes = _council_notes(assistant, args.council)
    rows = assistant.judgements(service=args.service, level=args.level, council=args.council,
                                year=args.year, kind=args.kind, comparison=args.comparison)
    if args.json:
        _emit(args, {"judgements": [judgement_dict(j) for j in rows], **notes}, "")
        return 0
    table = [("council", "year", "kind", "service", "level", "comparison", "count", "word", "letter")]
    table += [(j.council, str(j.year), j.kind, j.service, j.level or "", j.comparison or "",
               ("no " if j.negated else "") + (f"{j.count} of {j.total}" if j.count is not None and j.total is not None
                                              else str(j.count if j.count is not None else j.total or "")),
               " ".join(j.word.split()), j.letter) for j in rows]
    _emit(args, {}, _columns(table) if rows else "no judgements found")
    return 0


def cmd_check(args) -> int:
    from index.check import check_index

    report = check_index(args.index)
    lines = [f"{'ok' if item.ok else 'DAMAGED':8} {item.file}: {item.detail}" for item in report.files]
    held = ("an update is running now" if report.updating
            else "from an update that was stopped; the next update removes it")
    lines += [f"leftover {name}: {held}" for name in report.leftovers]
    lines += _warnings("warning  ", report.unsearchable)
    if report.ok:  # read from a database that checked out
        lines.append(f"conflicts: {len(report.conflicts)}" + (" (letters of one kind, council and year whose "
                                                             "ratings differ; both are indexed)" if report.conflicts
                                                             else ""))
        lines += _conflict_lines("  ", report.conflicts)
    if report.advice and report.ok:
        lines.append(report.advice)
    _emit(args, report.to_dict(), "\n".join(lines))
    if not report.ok:
        broken = next(item for item in report.files if not item.ok)
        print(f"letters-qa: error: {report.index_dir} is damaged: {broken.file}: {broken.detail}; {report.advice}",
              file=sys.stderr)
        return 1
    return 0


def cmd_serve(args) -> int:
    from ui.serve import serve, serve_refusal  # gradio loads inside serve(): a refusal is instant, starts nothing

    if args.auth and args.auth_file:
        print("letters-qa: error: give --auth or --auth-file, not both", file=sys.stderr)
        return 2
    given = args.auth or args.auth_file or os.environ.get("LETTERS_QA_AUTH")
    problem = serve_refusal(args.host, given, args.insecure_no_auth, args.allow_uploads)
    if problem:
        print(f"letters-qa: error: {problem}", file=sys.stderr)
        return 2
    from ui.auth import credentials

    auth, warnings = credentials(args.auth, args.auth_file)  # LettersQAError: one line, exit 1
    for warning in warnings:
        print(f"letters-qa: warning: {warning}", file=sys.stderr)
    serve(index_dir=Path(args.index), host=args.host, port=args.port, letters_dir=args.letters,
          auth=auth, model=args.model, insecure_no_auth=args.insecure_no_auth,
          allow_uploads=args.allow_uploads, llm=args.llm, threads=args.encoder_threads)
    return 0


def cmd_eval(args) -> int:
    from qa.evaluate import evaluate

    report = evaluate(_assistant(args), Path(args.gold), k=args.k)
    _emit(args, report.to_dict(), report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
