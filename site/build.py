"""Build the course website into ``build/site/`` (``make site``).

The pages are staged in ``build/site-src/`` and rendered by Sphinx with myst-nb, which
renders the outputs stored in the executed lessons and never runs a notebook:

- ``index.md``: the README's introduction, its two commands and its course map;
- ``lessons/NN_*.ipynb``: each lesson as committed, plus one cell after its title that
  links its exercise notebook (a download) and the engine code it teaches;
- ``grading.md`` and ``engine.md``: the README's sections of the same names;
- ``code/<path>.md``: the source of every engine module, and of any other Python file
  a lesson links to, with the lessons that teach it.

Everything is generated from the README, the notebooks and the sources on every build,
so the site cannot drift from them. Links between repository files become links
between pages: a lesson, a page; an exercise notebook, a download; a Python file, its
source page; any other file, a download.
"""

import argparse
import ast
import json
import os
import re
import sys
import time
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
STAGE = ROOT / "build" / "site-src"
OUT = ROOT / "build" / "site"
DOCTREES = ROOT / "build" / "site-doctrees"

# Engine modules with a source page even when no lesson links them.
ENGINE_GLOBS = ("minprune/*.py", "minprune/torchkit/*.py")
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


# --- the README -------------------------------------------------------------------


def readme_sections(text):
    """``{heading: body}`` for each ``## `` section of the README, plus ``""``: the intro."""
    sections, heading, lines = {}, "", []
    for line in text.splitlines():
        if line.startswith("## "):
            sections[heading] = "\n".join(lines).strip() + "\n"
            heading, lines = line[3:].strip(), []
        elif not line.startswith("# "):
            lines.append(line)
    sections[heading] = "\n".join(lines).strip() + "\n"
    return sections


def course_map(text):
    """The lessons of the README's course map, in course order: ``[(number, topic, path)]``."""
    start, end = text.index("<!-- course-map:start -->"), text.index("<!-- course-map:end -->")
    rows = []
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        match = re.search(r"\]\((lessons/[^)]+\.ipynb)\)", line)
        if match and len(cells) >= 2:
            rows.append((cells[0], cells[1], match.group(1)))
    return rows


def until_subsection(body):
    """A section's text before its first ``###`` subsection."""
    return body.split("\n### ", 1)[0].strip() + "\n"


def commands_only(body):
    """A section's first code block and the sentence after it (the rest points into the README)."""
    match = re.search(r"```.*?```\n", body, flags=re.DOTALL)
    if not match:
        return body
    after = body[match.end() :].strip().split("\n\n", 1)[0]
    sentence = re.split(r"(?<=\.)\s", after, maxsplit=1)[0] if after else ""
    return f"{match.group(0)}\n{sentence}\n"


# --- links ------------------------------------------------------------------------


def code_page(path):
    """The page (repository-relative, ``.md``) that shows the source of ``path``."""
    return f"code/{path}.md"


def rewrite_links(markdown, source_dir, page_dir, files):
    """Point the relative links of ``markdown`` (written in ``source_dir``) at site pages.

    ``page_dir`` is where the staged page lives; paths are repository-relative POSIX
    paths. Files that become downloads are added to ``files`` to be staged.
    """

    def replace(match):
        bang, text, target = match.groups()
        if bang or re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", target):
            return match.group(0)
        path, _, fragment = target.partition("#")
        repo_path = PurePosixPath(os.path.normpath(source_dir / path))
        if not (ROOT / repo_path).is_file() or str(repo_path).startswith(".."):
            return match.group(0)
        here = str(page_dir) or "."
        if repo_path.parts[0] == "lessons" and repo_path.suffix == ".ipynb":
            new = os.path.relpath(repo_path, here)
        elif repo_path.suffix == ".py":
            new = os.path.relpath(code_page(repo_path), here)
        else:
            staged = repo_path if repo_path.parts[0] == "exercises" else "_files" / repo_path
            files[str(repo_path)] = staged
            label = text.replace("`", "")
            return f"{{download}}`{label} <{os.path.relpath(staged, here)}>`"
        return f"[{text}]({new}{'#' + fragment if fragment else ''})"

    return LINK.sub(replace, markdown)


def linked_python_files(markdown, source_dir):
    """The repository's Python files that ``markdown`` (in ``source_dir``) links to, in order."""
    found = []
    for _, _, target in LINK.findall(markdown):
        path = PurePosixPath(os.path.normpath(source_dir / target.partition("#")[0]))
        if path.suffix == ".py" and (ROOT / path).is_file() and str(path) not in found:
            found.append(str(path))
    return found


# --- staging ----------------------------------------------------------------------


class Stage:
    """The files of one build, written into ``STAGE`` only where their content changed."""

    def __init__(self, root):
        self.root = root
        self.written = set()

    def write(self, relpath, content):
        target = self.root / relpath
        self.written.add(Path(relpath))
        data = content.encode() if isinstance(content, str) else content
        if target.is_file() and target.read_bytes() == data:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy(self, source, relpath):
        self.write(relpath, Path(source).read_bytes())

    def remove_the_rest(self):
        """Delete staged files this build did not write (a lesson that was removed)."""
        for path in sorted(self.root.rglob("*"), reverse=True):
            rel = path.relative_to(self.root)
            if path.is_file() and rel not in self.written:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def markdown_cell(source, cell_id):
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


def lesson_links_cell(lesson, modules):
    """The cell put after a lesson's title: its exercises and the engine code it teaches."""
    exercise = PurePosixPath("exercises") / PurePosixPath(lesson).name
    lines = ["```{admonition} Exercises and engine code", ":class: lesson-links", ""]
    if (ROOT / exercise).is_file():
        lines.append(
            f"**Exercises:** {{download}}`{exercise.name} <../{exercise}>` "
            "(open it in JupyterLab; `make lab` sets everything up)."
        )
    if modules:
        links = ", ".join(f"[`{m}`]({os.path.relpath(code_page(m), 'lessons')})" for m in modules)
        lines += ["", f"**Engine code taught here:** {links}."]
    lines.append("```")
    return markdown_cell("\n".join(lines) + "\n", "site-lesson-links")


def stage_lesson(stage, lesson, files):
    """Stage one lesson; returns the Python files it links to."""
    nb = json.loads((ROOT / lesson).read_text())
    source_dir = PurePosixPath(lesson).parent
    modules = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            text = "".join(cell["source"])
            modules += [m for m in linked_python_files(text, source_dir) if m not in modules]
            cell["source"] = rewrite_links(text, source_dir, source_dir, files)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                text = "".join(data["text/markdown"])
                data["text/markdown"] = rewrite_links(text, source_dir, source_dir, files)
    exercise = f"exercises/{PurePosixPath(lesson).name}"
    if (ROOT / exercise).is_file():
        files[exercise] = PurePosixPath(exercise)
    nb["cells"].insert(1, lesson_links_cell(lesson, modules))
    stage.write(lesson, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return modules


def docstring(path):
    """The first paragraph of a Python file's docstring, or ``""``."""
    doc = ast.get_docstring(ast.parse((ROOT / path).read_text())) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ").strip()


def stage_code_page(stage, path, taught_in):
    """Stage the source page of one Python file, linking the lessons that teach it."""
    page = PurePosixPath(code_page(path))
    here = str(page.parent)
    lines = [f"# `{path}`", ""]
    summary = docstring(path)
    if summary:
        lines += [summary, ""]
    if taught_in:
        lessons = ", ".join(
            f"[{number} {topic.split(':')[0]}]({os.path.relpath(lesson, here)})"
            for number, topic, lesson in taught_in
        )
        lines += [f"Taught in: {lessons}.", ""]
    lines += [
        f"{{download}}`Download {PurePosixPath(path).name} </_files/{path}>`",
        "",
        f"```{{literalinclude}} /_files/{path}",
        ":language: python",
        ":linenos:",
        "```",
        "",
    ]
    stage.write(page, "\n".join(lines))
    stage.copy(ROOT / path, f"_files/{path}")


def toctree(entries, caption=None, hidden=True):
    lines = ["```{toctree}"]
    if caption:
        lines.append(f":caption: {caption}")
    if hidden:
        lines.append(":hidden:")
    lines.append(":maxdepth: 1")
    return "\n".join(lines + [""] + entries + ["```", ""])


def stage_all(stage):
    """Write every page of the site into the stage; returns the course map's lessons."""
    readme = (ROOT / "README.md").read_text()
    sections = readme_sections(readme)
    lessons = course_map(readme)
    files = {}
    top = PurePosixPath(".")

    taught = {}
    for row in lessons:
        for module in stage_lesson(stage, row[2], files):
            taught.setdefault(module, []).append(row)

    index = [
        "# minprune",
        "",
        rewrite_links(sections[""], top, top, files),
        "## The course",
        "",
        rewrite_links(until_subsection(sections["The course"]), top, top, files),
        "## Two commands",
        "",
        rewrite_links(commands_only(sections["Two commands"]), top, top, files),
        toctree([PurePosixPath(p).with_suffix("").as_posix() for _, _, p in lessons], "Lessons"),
        toctree(["grading", "engine"], "Reference"),
    ]
    stage.write("index.md", "\n".join(index))

    grading = rewrite_links(sections["How grading works"], top, top, files)
    stage.write("grading.md", f"# How grading works\n\n{grading}")

    engine = sections["Studying the engine"]
    engine = re.sub(
        r"^\| `(\w+\.py)` \|",
        lambda m: (
            f"| [`{m.group(1)}`]({code_page('minprune/' + m.group(1))}) |"
            if (ROOT / "minprune" / m.group(1)).is_file()
            else m.group(0)
        ),
        engine,
        flags=re.MULTILINE,
    )
    engine = rewrite_links(engine, top, top, files)
    modules = sorted(
        {str(p.relative_to(ROOT).as_posix()) for g in ENGINE_GLOBS for p in ROOT.glob(g)}
        | set(taught)
    )
    sources = [f"- [`{m}`]({code_page(m)})" for m in modules]
    stage.write(
        "engine.md",
        f"# Studying the engine\n\n{engine}\n## The source, module by module\n\n"
        + "\n".join(sources)
        + "\n\n"
        + toctree([code_page(m)[: -len(".md")] for m in modules]),
    )
    for module in modules:
        stage_code_page(stage, module, taught.get(module, []))

    for source, staged in files.items():
        stage.copy(ROOT / source, staged)
    return lessons


def build(out=OUT, quiet=True):
    """Stage the pages and run Sphinx; returns Sphinx's exit status."""
    from sphinx.cmd.build import build_main

    stage = Stage(STAGE)
    stage_all(stage)
    stage.remove_the_rest()
    args = ["-b", "html", "-c", str(SITE), "-d", str(DOCTREES), "-j", "auto"]
    return build_main(args + (["-q"] if quiet else []) + [str(STAGE), str(out)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (build/site/)")
    parser.add_argument("--verbose", action="store_true", help="print Sphinx's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    status = build(args.out, quiet=not args.verbose)
    if status == 0:
        index = args.out.resolve() / "index.html"
        print(f"site built in {time.perf_counter() - start:.0f} s: {index}")
    return status


if __name__ == "__main__":
    sys.exit(main())
