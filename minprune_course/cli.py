"""The ``minprune`` command: ``release``, ``execute`` and ``grade``.

    minprune release [--check] [--root DIR]
    minprune execute [--jobs N] [--timeout S] PATH...
    minprune grade PATH... [--json FILE] [--csv FILE] [--format {gradebook,canvas}]
                   [--feedback DIR] [--learners {auto,folder,file}] [--quiet]
                   [--timeout S] [--notebook-timeout S] [--jobs N | --scheduler ADDRESS]
                   [--masters DIR]

Errors print ``minprune: error: <one line>`` and exit with status 2.
"""

import argparse
import sys
from pathlib import Path

from . import notebooks as nbs


class _Usage(Exception):
    """A problem to report in one line."""


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be > 0")
        return value

    return parse


def _parser():
    parser = argparse.ArgumentParser(prog="minprune", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)

    rel = verbs.add_parser("release", help="write exercises/ from solutions/")
    rel.add_argument("--check", action="store_true", help="only check exercises/ is up to date")
    rel.add_argument("--root", type=Path, default=None, help="course folder (default: the repo)")

    exe = verbs.add_parser("execute", help="run notebooks in place and save their outputs")
    exe.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders")
    exe.add_argument("--jobs", type=_positive(int), default=1, help="notebooks run at once")
    exe.add_argument("--timeout", type=_positive(int), default=600, help="seconds per cell")

    grade = verbs.add_parser("grade", help="grade submissions against their masters")
    grade.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of them")
    grade.add_argument("--json", type=Path, help="write every score and hint as JSON to FILE")
    grade.add_argument("--csv", type=Path, help="write one row per learner to FILE")
    grade.add_argument(
        "--format",
        choices=("gradebook", "canvas"),
        default=None,
        help="layout of --csv: a gradebook with one column per exercise (default), "
        "or Canvas's gradebook import (one column per notebook, a Points Possible row)",
    )
    grade.add_argument(
        "--feedback", type=Path, metavar="DIR", help="write one HTML feedback page per learner"
    )
    grade.add_argument(
        "--learners",
        choices=("auto", "folder", "file"),
        default="auto",
        help="name learners by their folder (submissions/<learner>/<notebook>.ipynb) or "
        "file name; auto: by folder when each learner has their own, else by file",
    )
    grade.add_argument(
        "--quiet",
        action="store_true",
        help="no progress line and no table per submission; the class summary and "
        "errors are still printed",
    )
    grade.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="grade on the workers of a Dask scheduler (tcp://host:8786) instead of "
        "local processes; --jobs is then ignored",
    )
    grade.add_argument("--timeout", type=_positive(float), default=60, help="seconds per cell")
    grade.add_argument(
        "--notebook-timeout", type=_positive(float), default=600, help="seconds per notebook"
    )
    grade.add_argument("--jobs", type=_positive(int), default=1, help="submissions at once")
    grade.add_argument("--masters", type=Path, default=None, help="folder of master notebooks")
    boxing = grade.add_mutually_exclusive_group()
    boxing.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade unless every kernel runs in the bubblewrap sandbox",
    )
    boxing.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels as plain processes (only for code you trust)",
    )
    grade.add_argument(
        "--secret-file",
        type=Path,
        default=None,
        help="file holding the course's secret, mixed into the hidden cases' seed "
        "(default: $MINPRUNE_COURSE_SECRET, else none)",
    )
    return parser


def _release(args):
    from . import release

    root = args.root or nbs.repo_root()
    if not (root / "solutions").is_dir():
        raise _Usage(f"{root}: no solutions/ folder")
    try:
        if args.check:
            release.check(root)
            print(
                f"exercises/ is up to date ({len(release.list_masters(root / 'solutions'))} notebooks)"
            )
        else:
            for path in release.release(root):
                print(f"wrote {path.relative_to(root)}" if path.exists() else f"removed {path}")
    except release.ReleaseError as exc:
        raise _Usage(str(exc)) from None


def _execute(args):
    from . import execute

    try:
        failures = execute.execute_all(args.paths, jobs=args.jobs, timeout=args.timeout)
    except execute.ExecuteError as exc:
        raise _Usage(str(exc)) from None
    if failures:
        for message in failures[1:]:
            print(f"minprune: error: {message}", file=sys.stderr)
        raise _Usage(failures[0])


def _grade(args):
    from . import grader, report

    masters = args.masters or grader.default_masters()
    if not masters.is_dir():
        raise _Usage(f"{masters}: no such folder of master notebooks")
    secret = None
    if args.secret_file is not None:
        try:
            secret = args.secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise _Usage(
                f"--secret-file {args.secret_file}: cannot be read ({exc.strerror}); "
                "expected a text file holding the course's secret"
            ) from None
    mode = "require" if args.require_sandbox else "off" if args.no_sandbox else "auto"
    try:
        boxed, missing = grader.sandbox_status(mode)
        found = grader.expand(args.paths)
    except grader.GradeError as exc:
        raise _Usage(str(exc)) from None
    if not boxed:
        print(f"minprune grade: {missing}", file=sys.stderr)
    if args.format and not args.csv:
        raise _Usage(f"--format {args.format} applies to the CSV file; add --csv FILE")
    progress = report.Progress(len(found), quiet=args.quiet)
    try:
        results = grader.grade_all(
            [path for path, _ in found],
            masters,
            args.timeout,
            args.notebook_timeout,
            args.jobs,
            secret,
            mode,
            scheduler=args.scheduler,
            on_result=progress,
        )
    except grader.GradeError as exc:
        raise _Usage(str(exc)) from None
    except ImportError as exc:
        if args.scheduler is None:
            raise
        raise _Usage(f"--scheduler {args.scheduler}: {exc}") from None
    finally:
        progress.close()
    if not args.quiet:
        for result in results:
            print(report.table(result) + "\n")
    if len(results) > 1:
        print(report.summary(results))
    try:
        names = report.learners(results, args.learners)
        if args.json:
            report.write_json(results, args.json, layout=args.learners)
        if args.feedback:
            from . import feedback

            written = set()
            for name, result in zip(names, results):
                written.add(feedback.write(result, args.feedback, name, keep=written))
            if not args.quiet:
                print(f"wrote {len(results)} feedback pages to {args.feedback}")
        if args.csv:
            report.write_csv(results, args.csv, args.learners, args.format or "gradebook")
    except ValueError as exc:
        raise _Usage(str(exc)) from None
    named = [r for (_, explicit), r in zip(found, results) if explicit]
    unusable = [r for r in named if r.status != "graded" and not r.scores]
    if unusable:
        raise _Usage(unusable[0].message)


def main(argv=None):
    """Run the ``minprune`` command; return its exit status."""
    args = _parser().parse_args(argv)
    verb = {"release": _release, "execute": _execute, "grade": _grade}[args.verb]
    try:
        verb(args)
    except _Usage as exc:
        print(f"minprune: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("minprune: error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"minprune: error: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
