"""Show and save grading results: a table per submission, JSON and CSV files."""

import csv
import json

from .grader import one_line


def _points(value):
    """``2`` for 2.0, ``1.5`` for 1.5."""
    return f"{value:g}"


def table(result):
    """A text table of one submission's scores and its total."""
    seed = "" if result.seed is None else f", hidden cases' seed {result.seed}"
    head = f"{result.submission}  (master: {result.master or '?'}{seed})"
    if result.status != "graded" and not result.scores:
        return f"{head}\n  error: {result.message}"
    width = max([len(s.grade_id) for s in result.scores] + [len("total")])
    lines = [head]
    if result.status != "graded":
        lines.append(f"  error: {result.message}")
    for s in result.scores:
        score = f"{_points(s.points)}/{_points(s.max_points)}"
        line = f"  {s.grade_id:<{width}}  {score:>7}  {s.status:<11}  {one_line(s.message)}"
        lines.append(line.rstrip())
        if s.flag:
            lines.append(f"  {'':<{width}}  {'':>7}  {'FLAG':<11}  {s.flag}")
    total = f"{_points(result.total)}/{_points(result.max_total)}"
    lines.append(f"  {'total':<{width}}  {total:>7}")
    return "\n".join(lines)


def as_dict(result):
    """One submission as JSON-ready data."""
    return {
        "submission": result.submission,
        "master": result.master,
        "status": result.status,
        "message": result.message,
        "seed": result.seed,
        "sandbox": result.sandbox,
        "total": result.total,
        "max_total": result.max_total,
        "exercises": {
            s.grade_id: {
                "points": s.points,
                "max_points": s.max_points,
                "status": s.status,
                "message": s.message,
                "flag": s.flag,
            }
            for s in result.scores
        },
    }


def write_json(results, path):
    """Write ``{"submissions": [...]}``, one entry per submission, to ``path``."""
    data = {"submissions": [as_dict(r) for r in results]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def write_csv(results, path):
    """Write one row per submission: its points per grade_id, then the totals."""
    grade_ids = []
    for r in results:
        grade_ids += [s.grade_id for s in r.scores if s.grade_id not in grade_ids]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        head = ["submission", "master", "status", *grade_ids, "total", "max_total", "seed"]
        writer.writerow(head)
        for r in results:
            points = {s.grade_id: _points(s.points) for s in r.scores}
            row = [r.submission, r.master or "", r.status]
            row += [points.get(g, "") for g in grade_ids]
            seed = "" if r.seed is None else str(r.seed)
            writer.writerow([*row, _points(r.total), _points(r.max_total), seed])
