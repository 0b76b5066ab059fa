"""The ``gpmb`` command: thin; parses arguments and calls the package's functions.

Exit codes: 0 success; 1 ``check`` found a due milestone missed; 2 bad input or usage, with
one line ``gpmb: error: <where>: <what> — <what to do>`` (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import traceback
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from gpmb_gis._dates import DateParseError, parse_date
from gpmb_gis._errors import GpmbError
from gpmb_gis.labels import LANGS

__all__ = ["COMMANDS", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise GpmbError(self.prog, message, f"see '{self.prog} --help'")


def _date_arg(text: str) -> dt.date:
    try:
        day = parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; write 2024-06-30 or 30/06/2024") from exc
    if day is None:
        raise argparse.ArgumentTypeError("empty date")
    return day


def build_parser() -> argparse.ArgumentParser:
    """The ``gpmb`` argument parser."""
    parser = _Parser(
        prog="gpmb",
        description="GPMB (site clearance) progress from cadastral parcels and handover books.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = sub.add_parser("report", help="write the briefing: tables, maps, index.html")
    report.add_argument("--config", required=True, type=Path)
    report.add_argument("--as-of", type=_date_arg)
    report.add_argument("--out", type=Path, default=Path("output"))
    report.add_argument("--lang", choices=LANGS)
    report.add_argument(
        "--quarter",
        help="the quarterly report (2024Q2): as of the 20th of the "
        "quarter's last month, compared with the quarter before; adds report.docx",
    )
    report.add_argument("--cdn", action="store_true", help="web maps load Leaflet online")
    report.add_argument(
        "--no-maps",
        action="store_true",
        help="tables, report.xlsx, gpmb.gpkg and index.html only (no maps or charts): quick",
    )
    report.add_argument(
        "--allow-unplaced",
        action="store_true",
        help="report even when more of the book's records than [qa] max_unplaced_records_pct "
        "could not be placed on a parcel (the doubt is shown beside every figure)",
    )
    report.add_argument(
        "--include-owner",
        action="store_true",
        help="keep owner names (personal data) in the outputs",
    )
    check = sub.add_parser("check", help="milestone table; exit 1 when a due one is missed")
    check.add_argument("--config", required=True, type=Path)
    check.add_argument("--as-of", type=_date_arg)
    check.add_argument("--allow-unplaced", action="store_true", help="as for report")
    qa = sub.add_parser("qa", help="data-quality report only")
    qa.add_argument("--config", required=True, type=Path)
    qa.add_argument("--out", type=Path, default=Path("output"))
    sample = sub.add_parser("sample", help="write the synthetic Cao Lộc dataset and its config")
    sample.add_argument("--out", required=True, type=Path)
    sample.add_argument("--seed", type=int, default=2024)
    sample.add_argument("--parcels", type=int, default=None)
    sample.add_argument(
        "--force", action="store_true", help="overwrite the files of a folder that holds some"
    )
    return parser


def _cmd_report(args: argparse.Namespace) -> int:
    from gpmb_gis import quarterly
    from gpmb_gis.config import load_config
    from gpmb_gis.labels import pct_shown
    from gpmb_gis.outdir import file_stem
    from gpmb_gis.report import summary_lines, write_report
    from gpmb_gis.run import compute_progress
    from gpmb_gis.unplaced import check_unplaced

    config = load_config(args.config)
    quarter = None
    if args.quarter:
        if args.as_of:
            raise GpmbError(
                "gpmb report", "--quarter and --as-of both give the report date", "give one of them"
            )
        quarter = quarterly.parse_quarter(args.quarter)
        args.as_of = quarterly.quarter_report_date(*quarter)
    result = compute_progress(
        config, args.as_of, include_owner=args.include_owner, allow_unplaced=args.allow_unplaced
    )
    check_unplaced(result)
    previous = None
    if quarter is not None:
        before = quarterly.quarter_report_date(*quarterly.previous_quarter(*quarter))
        previous = compute_progress(config, before, allow_unplaced=args.allow_unplaced)
    also = [  # the report to sign: of the quarter, or of the report date
        lambda folder: quarterly.write_docx(
            result, folder / "report.docx", quarter=quarter, previous=previous
        )
    ]
    from gpmb_gis.maps.static import offscreen

    offscreen()  # files only, even on a desktop with a display
    index = write_report(result, args.out, lang=args.lang, cdn=args.cdn, maps=not args.no_maps,
                         include_owner=args.include_owner, also=also)  # fmt: skip
    print(f"wrote {args.out / 'report.docx'}")
    for line in summary_lines(result):
        print(line)
    for pid in result.overlays:
        web = args.out / "maps" / f"{file_stem(pid)}.html"
        n = int((result.parcels["project"] == pid).sum())
        if web.exists() and n:
            size = web.stat().st_size
            print(f"maps/{pid}.html: {size / 1e6:.2f} MB, {size / n:.0f} bytes per parcel")
    for row in result.progress_by_project.itertuples(index=False):
        print(
            f"{row.project}: {pct_shown(row.cleared_pct):.1f} % "
            f"({row.cleared_m2 / 1e4:.2f} of {row.required_m2 / 1e4:.2f} ha)"
        )
    print(f"wrote {index}")
    return 0


def _cmd_qa(args: argparse.Namespace) -> int:
    from gpmb_gis.outdir import output_folder
    from gpmb_gis.report import summary_lines, write_qa_page, write_tables
    from gpmb_gis.run import compute_progress

    result = compute_progress(args.config, allow_unplaced=True)  # the checks say what is wrong
    with output_folder(args.out, result.config.input_paths()) as folder:
        write_tables(result, folder, only=("qa_issues",))
        write_qa_page(result, folder)
    path, page = args.out / "tables" / "qa_issues.csv", args.out / "qa.html"
    for line in summary_lines(result):
        print(line)
    counts = result.qa_issues.groupby(["severity", "check"]).size()
    for (severity, check), n in counts.items():
        print(f"{severity:8} {check:28} {n}")
    print(f"wrote {path} and {page}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from gpmb_gis.milestones import MISSED, print_milestones
    from gpmb_gis.run import compute_progress
    from gpmb_gis.unplaced import check_unplaced

    result = compute_progress(args.config, args.as_of, allow_unplaced=args.allow_unplaced)
    doubt = check_unplaced(result).sentence("en")
    table = result.milestones()
    print_milestones(table)
    if doubt:
        print(f"warning: {doubt} (gpmb qa lists each)")
    late = _overdue_beyond_grace(result)
    return 1 if (table["status"] == MISSED).any() or late else 0


def _overdue_beyond_grace(result: object) -> int:
    """Print each step overdue by more than ``[deadlines] grace_days``; return how many."""
    steps = result.deadlines()["agency_deadlines"]
    if steps is None or not len(steps):
        return 0
    grace = result.config.deadline_grace_days  # calendar days, whatever the limit's kind
    late = steps[(steps["status"] == "overdue") & (steps["calendar_days_late"] > grace)]
    for row in late.sort_values("calendar_days_late", ascending=False).itertuples(index=False):
        parcel = f"{row.sheet}/{row.parcel}"
        household = row.household
        if isinstance(household, float) and household.is_integer():
            household = int(household)  # a numeric id read as a number
        who = f"{household} ({parcel})" if str(household or "").strip() else parcel
        print(f"overdue: {row.project} {who}: {row.step} ({row.agency}; now {row.agency_now}) "
              f"due {row.due_date}, {row.days_late} {row.days} days late")  # fmt: skip
    return len(late)


def _cmd_sample(args: argparse.Namespace) -> int:
    from gpmb_gis.sample import write_sample

    config = write_sample(args.out, seed=args.seed, n_parcels=args.parcels, force=args.force)
    print(f"wrote {config}")
    return 0


COMMANDS = {"report": _cmd_report, "qa": _cmd_qa, "check": _cmd_check, "sample": _cmd_sample}


@contextlib.contextmanager
def _library_messages(said: list[str]) -> Iterator[None]:
    """Collect what C libraries (GDAL, PROJ, SQLite) print to the process's stderr.

    They write to file descriptor 2 themselves, beside the command's one line; their lines
    are gathered into ``said`` so the command can fold them into its own messages.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (an embedding host): nothing to gather
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace")
            said.extend(line.strip() for line in text.splitlines() if line.strip())


def _plain_streams() -> None:
    """Print what a console cannot show as ``?`` instead of failing (a cp1252 console)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``gpmb`` command; return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]  # accepted anywhere on the line
    _plain_streams()
    said: list[str] = []
    try:
        args = build_parser().parse_args(argv)
        gather = contextlib.nullcontext() if debug else _library_messages(said)
        with warnings.catch_warnings(), gather:
            if not debug:
                warnings.simplefilter("ignore")
            code = COMMANDS[args.command](args)
        for line in said:  # what a library printed, in the command's own words
            print(f"gpmb: warning: {line}", file=sys.stderr)
        return code
    except GpmbError as exc:
        if debug:
            traceback.print_exc()
        folded = f" (the library said: {'; '.join(said)[:300]})" if said else ""
        print(f"gpmb: error: {exc.line()}{folded}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gpmb: error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the output went to `head` or a closed pager
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps interpreter exit quiet
        return 0
    except Exception as exc:  # the promise: no input produces a traceback
        if debug:
            traceback.print_exc()
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        print(
            f"gpmb: error: internal: {what} — rerun with --debug and report it with the "
            "input that caused it",
            file=sys.stderr,
        )
        return 2
