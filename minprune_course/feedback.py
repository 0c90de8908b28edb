"""Per-learner feedback: one self-contained HTML page per graded submission.

The page is built from a ``grader.Result`` alone, which holds no test source, no
hidden test and no model answer: it shows the score, each exercise's hint and the
learner's own answer cells with their outputs. Every piece of text is escaped, so
an output cannot add markup; the page has no script and links nowhere. Flags (notes
for the instructor) are left out.
"""

import html
import re
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

_STYLE = """\
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.4; }
pre { white-space: pre-wrap; word-wrap: break-word; background: #f6f6f6;
      padding: .5em; border-radius: 4px; }
pre.stderr, pre.error { background: #fdecea; }
.exercise, .answer { border: 1px solid #ddd; border-radius: 4px; padding: 0 1em;
                     margin: 1em 0; }
.passed { color: #1a7f37; } .failed, .error, .timeout, .missing, .kernel-died { color: #b3261e; }
img { max-width: 100%; }"""


def _text(value):
    """Output text, which nbformat may hold as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def _pre(text, kind=""):
    cls = f' class="{kind}"' if kind else ""
    return f"<pre{cls}>{html.escape(text)}</pre>"


def _output(output):
    """One nbformat output dict as escaped HTML (rich HTML is shown as its text)."""
    kind = output.get("output_type")
    if kind == "stream":
        return _pre(_text(output.get("text", "")), html.escape(str(output.get("name", ""))))
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(map(str, output.get("traceback", []))))
        head = f"{output.get('ename', '')}: {output.get('evalue', '')}"
        return _pre(f"{head}\n{trace}".rstrip(), "error")
    data = output.get("data", {}) or {}
    png = _text(data.get("image/png", ""))
    if png and _BASE64.fullmatch(png):
        src = "data:image/png;base64," + "".join(png.split())
        return f'<img alt="an image output" src="{html.escape(src)}">'
    for mime in ["text/plain", *sorted(m for m in data if m.startswith("text/"))]:
        if mime in data:
            return _pre(_text(data[mime]))
    return _pre(f"(an output of type {', '.join(map(str, data)) or kind} not shown here)")


def _points(value):
    return f"{value:g}"


def render(result, learner=None):
    """The feedback page for one submission.

    Parameters
    ----------
    result : grader.Result
        A graded (or ungradable) submission.
    learner : str, optional
        The learner's name for the heading; default the submission's file name.

    Returns
    -------
    str
        A complete HTML document: inline CSS only, no script, no external link.
    """
    if not hasattr(result, "scores") or not hasattr(result, "answers"):
        raise TypeError(f"result must be a grader.Result, got {type(result).__name__}")
    name = learner or Path(result.submission).stem
    notebook = result.master or Path(result.submission).name
    total = f"{_points(result.total)} / {_points(result.max_total)}"
    body = [
        f"<h1>{html.escape(notebook)}</h1>",
        f"<p>Learner: <strong>{html.escape(name)}</strong><br>"
        f"Submission: {html.escape(Path(result.submission).name)}<br>"
        f"Score: <strong>{total}</strong></p>",
    ]
    if result.status != "graded":
        reason = result.message or "no reason was recorded"
        body.append(
            f'<p class="error">This notebook could not be graded: {html.escape(reason)}</p>'
        )
    if result.scores:
        body.append("<h2>Exercises</h2>")
    for score in result.scores:
        status = html.escape(score.status.replace(" ", "-"))
        body.append(
            f'<div class="exercise"><h3>{html.escape(score.title or score.grade_id)}</h3>'
            f"<p>{_points(score.points)} / {_points(score.max_points)} points, "
            f'<span class="{status}">{html.escape(score.status)}</span></p>'
            + (_pre(score.message) if score.message else "")
            + "</div>"
        )
    if result.answers:
        body.append("<h2>Your answers</h2>")
    for answer in result.answers:
        outputs = "".join(_output(o) for o in answer.get("outputs", []))
        body.append(
            f'<div class="answer"><h3>{html.escape(str(answer.get("grade_id", "")))}</h3>'
            f"<pre><code>{html.escape(_text(answer.get('source', '')))}</code></pre>"
            + (f"<p>Output:</p>{outputs}" if outputs else "")
            + "</div>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Feedback: {html.escape(notebook)}, {html.escape(name)}</title>\n"
        f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _safe(name):
    """``name`` as a file-name part: letters, digits, ``._-`` only."""
    return _UNSAFE.sub("_", str(name)).strip("._") or "submission"


def write(result, folder, learner=None, keep=()):
    """Write ``render(result, learner)`` to ``folder/<learner>-<master>.html``.

    Parameters
    ----------
    result : grader.Result
    folder : path
        Created when missing.
    learner : str, optional
        Default the submission's file name without ``.ipynb``.
    keep : collection of Path
        Pages not to replace (those written earlier in the same run): a name among
        them takes a free ``...-2.html`` instead. A page from an earlier run is
        replaced, so grading again leaves one page per submission.

    Returns
    -------
    Path
        The page written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = _safe(learner or Path(result.submission).stem)
    if result.master:
        stem += "-" + _safe(result.master)
    path, n = folder / f"{stem}.html", 1
    while path in keep:
        n += 1
        path = folder / f"{stem}-{n}.html"
    path.write_text(render(result, learner), encoding="utf-8")
    return path
