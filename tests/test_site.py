"""The course website: ``make site`` builds it, and a real browser reads every page offline.

The site is built into ``build/site/`` as ``make site`` builds it. The browser tests
serve it on localhost and visit every page in headless Chromium (Debian's ``chromium``
driven by Playwright), refusing any request that would leave the site. They are
skipped, with the reason, where ``/usr/bin/chromium`` is missing. Screenshots of the
home page and of a lesson are saved in ``build/site-screenshots/``.
"""

import functools
import json
import os
import re
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "site-screenshots"
CHROMIUM = Path(os.environ.get("MINPRUNE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A word of one lesson's text, and that lesson's page: search must find it.
SEARCH_WORD, SEARCH_LESSON = "lottery", "lessons/05_retraining"
SCREENSHOT_LESSON = "lessons/03_magnitude_pruning.html"


def _course_lessons():
    """The lessons of the README's course map, in course order (``lessons/NN_*.ipynb``)."""
    text = (ROOT / "README.md").read_text()
    start, end = text.index("<!-- course-map:start -->"), text.index("<!-- course-map:end -->")
    return re.findall(r"\]\((lessons/[^)]+\.ipynb)\)", text[start:end])


class _Page(HTMLParser):
    """The links (``href``, ``class``), ids and visible text of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links, self.ids, self.text, self._skip = [], set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], attrs.get("class") or ""))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@functools.cache
def _parse(relpath):
    page = _Page()
    page.feed((SITE / relpath).read_text())
    text = " ".join("".join(page.text).split())
    page.words = text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return page


def _words(markdown):
    """Markdown's visible words, as the rendered page shows them."""
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(re.sub(r"[`*]", "", markdown).split())


@pytest.fixture(scope="module")
def site():
    """``build/site/``, built by the same script as ``make site``."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "site" / "build.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"make site failed:\n{done.stdout}\n{done.stderr}"
    print(f"site built in {time.perf_counter() - start:.0f} s")
    return SITE


# --- the built site, read as files --------------------------------------------------


def test_the_home_page_lists_every_lesson_in_course_order(site):
    """The home page links every lesson of the README's course map, in course order."""
    links = [urldefrag(href)[0] for href, _ in _parse("index.html").links]
    lessons = [link for link in links if re.fullmatch(r"lessons/\d\d_\w+\.html", link)]
    first_seen = list(dict.fromkeys(lessons))
    expected = [Path(p).with_suffix(".html").as_posix() for p in _course_lessons()]
    assert first_seen == expected
    assert all((site / page).is_file() for page in expected)


def test_each_lesson_offers_its_exercise_notebook_as_a_download(site):
    """Each lesson page links a download that is byte for byte its exercise notebook."""
    for lesson in _course_lessons():
        page = Path(lesson).with_suffix(".html")
        exercise = ROOT / "exercises" / Path(lesson).name
        downloads = [
            href
            for href, cls in _parse(page.as_posix()).links
            if "download" in cls.split() and href.endswith("/" + exercise.name)
        ]
        assert downloads, f"{page} does not link {exercise.name} as a download"
        served = (site / page.parent / unquote(downloads[0])).resolve()
        assert served.read_bytes() == exercise.read_bytes()


def test_each_lesson_links_the_source_of_the_engine_code_it_teaches(site):
    """Every Python file a lesson links to is a page of the site that shows that file."""
    for lesson in _course_lessons():
        text = json.dumps(json.loads((ROOT / lesson).read_text())["cells"])
        modules = sorted(set(re.findall(r"\]\(\.\./([\w/]+\.py)\)", text)))
        page = Path(lesson).with_suffix(".html")
        hrefs = {urldefrag(href)[0] for href, _ in _parse(page.as_posix()).links}
        for module in modules:
            code = f"../code/{module}.html"
            assert code in hrefs, f"{page} does not link {module}"
            source = (ROOT / module).read_text()
            last_def = re.findall(r"^def (\w+)", source, flags=re.MULTILINE)[-1:]
            shown = _parse(f"code/{module}.html").words
            assert all(f"def {name}" in shown for name in last_def), f"{code} lacks its source"


def test_grading_and_engine_pages_are_the_readme_sections(site):
    """The grading and engine pages show every paragraph of their README sections."""
    readme = (ROOT / "README.md").read_text()
    for heading, page in (
        ("How grading works", "grading.html"),
        ("Studying the engine", "engine.html"),
    ):
        body = readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        body = re.sub(r"```.*?```", "", body, flags=re.DOTALL)
        paragraphs = [p for p in body.split("\n\n") if p.strip() and p.lstrip()[0] not in "`|"]
        shown = _parse(page).words
        for paragraph in paragraphs:
            assert _words(paragraph)[:60] in shown, f"{page} lacks: {paragraph[:60]!r}"


# --- the built site, read by a browser ----------------------------------------------


@dataclass
class Crawl:
    """What headless Chromium saw on every page of the site."""

    base: str
    pages: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    outside_requests: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    images: dict = field(default_factory=dict)  # page -> [{src, width, height}]
    math: dict = field(default_factory=dict)  # page -> {elements, untypeset, errors}
    links: dict = field(default_factory=dict)  # page -> [absolute href]
    ids: dict = field(default_factory=dict)  # page url -> set of ids
    status: dict = field(default_factory=dict)  # internal url (no fragment) -> HTTP status
    search_results: list = field(default_factory=list)
    seconds: float = 0.0


class _Quiet(SimpleHTTPRequestHandler):
    """Serves the site without logging; notes every request it could not answer."""

    errors = None  # a list, set per server

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        if self.errors is not None and str(code).isdigit() and int(code) >= 400:
            self.errors.append(f"{code} {self.path}")


class _Server(ThreadingHTTPServer):
    """The site on localhost; a browser that drops a connection early is not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


PAGE_FACTS = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const images = await Promise.all([...document.images].map(async (img) => {
    if (!img.complete) {
      await new Promise((done) => { img.onload = img.onerror = done; });
    }
    return {src: img.currentSrc || img.src, width: img.naturalWidth, height: img.naturalHeight};
  }));
  const math = [...document.querySelectorAll('.math')];
  return {
    images,
    math: {
      elements: math.length,
      untypeset: math.filter((m) => !m.querySelector('mjx-container')).map((m) => m.textContent),
      errors: [...document.querySelectorAll('mjx-merror')].map((m) => m.textContent),
    },
    links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
  };
}"""


def _status(url):
    """The HTTP status the local server answers ``url`` with."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def crawl(site):
    """Serve the site on localhost and visit every page of it in headless Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"the site's browser test needs Chromium at {CHROMIUM} "
            "(apt-get install chromium); it was skipped"
        )
    from playwright.sync_api import sync_playwright

    handler = functools.partial(type("_Handler", (_Quiet,), {"errors": []}), directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    result = Crawl(base=base)
    pages = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_")
    )
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(route):
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    result.outside_requests.append((current[0], route.request.url))
                    route.abort()

            current = [""]
            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda m: m.type == "error" and result.console_errors.append((current[0], m.text)),
            )
            page.on("pageerror", lambda e: result.console_errors.append((current[0], str(e))))
            page.on(
                "requestfailed",
                lambda r: (
                    r.url.startswith(base)
                    # a load the next navigation cancelled (a late icon) is no failure
                    and r.failure != "net::ERR_ABORTED"
                    and result.failed_requests.append(f"{r.failure} {r.url}")
                ),
            )
            page.on(
                "response",
                lambda r: r.status >= 400 and result.failed_requests.append(f"{r.status} {r.url}"),
            )
            for relpath in pages:
                current[0] = relpath
                page.goto(base + relpath, wait_until="load")
                facts = page.evaluate(PAGE_FACTS)
                result.pages.append(relpath)
                result.images[relpath] = facts["images"]
                result.math[relpath] = facts["math"]
                result.links[relpath] = facts["links"]
                result.ids[base + relpath] = set(facts["ids"])
                if relpath == "index.html":
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=SHOTS / "home.png", full_page=True)
                if relpath == SCREENSHOT_LESSON:
                    page.screenshot(path=SHOTS / "lesson.png")
                    page.locator(".cell_output img").first.scroll_into_view_if_needed()
                    page.screenshot(path=SHOTS / "lesson-plot.png")

            current[0] = "search.html"
            page.goto(f"{base}search.html?q={SEARCH_WORD}", wait_until="load")
            page.wait_for_function(
                "document.querySelector('#search-results .search-summary')"
                " && document.querySelector('#search-results .search-summary').textContent",
                timeout=30_000,
            )
            page.wait_for_load_state("networkidle")  # each result fetches its page's text
            result.search_results = page.eval_on_selector_all(
                "#search-results a", "(links) => links.map((a) => a.href)"
            )
            browser.close()
        result.failed_requests += handler.func.errors
        for links in result.links.values():
            for link in links:
                url = urldefrag(link)[0]
                if url.startswith(base) and url not in result.status:
                    result.status[url] = _status(url)
    finally:
        server.shutdown()
        server.server_close()
    result.seconds = time.perf_counter() - start
    print(f"{len(result.pages)} pages visited in {result.seconds:.0f} s")
    return result


def test_the_browser_visits_every_page(crawl):
    """Every page of the site, each lesson among them, opens in the browser."""
    for lesson in _course_lessons():
        assert Path(lesson).with_suffix(".html").as_posix() in crawl.pages
    assert {"index.html", "grading.html", "engine.html", "search.html"} <= set(crawl.pages)


def test_no_page_logs_a_console_error(crawl):
    """No page logs a console error or throws, and nothing it asks for fails to load."""
    assert not crawl.console_errors
    assert not crawl.failed_requests


def test_no_request_leaves_the_site(crawl):
    """Every request a page makes goes to the site itself (MathJax and fonts included)."""
    assert not crawl.outside_requests


def test_every_plot_image_loads(crawl):
    """Every image loads with a non-zero size, and each lesson shows all its stored plots."""
    broken = [
        (page, img["src"])
        for page, images in crawl.images.items()
        for img in images
        if not (img["width"] > 0 and img["height"] > 0)
    ]
    assert not broken
    for lesson in _course_lessons():
        cells = json.loads((ROOT / lesson).read_text())["cells"]
        plots = sum(
            "image/png" in out.get("data", {}) for c in cells for out in c.get("outputs", [])
        )
        shown = [
            i
            for i in crawl.images[Path(lesson).with_suffix(".html").as_posix()]
            if "/_images/" in i["src"]
        ]
        assert len(shown) >= plots, f"{lesson}: {len(shown)} of {plots} plots shown"


def test_every_internal_link_resolves(crawl):
    """Every link to the site itself opens a file, and its #fragment names an element."""
    broken = []
    for page, links in crawl.links.items():
        for link in links:
            url, fragment = urldefrag(link)
            if not url.startswith(crawl.base):
                continue
            if crawl.status[url] != 200:
                broken.append((page, link, crawl.status[url]))
            elif fragment and url in crawl.ids and unquote(fragment) not in crawl.ids[url]:
                broken.append((page, link, "no such id"))
    assert not broken


def test_math_is_rendered(crawl):
    """MathJax typesets every formula of every page, with no TeX error."""
    lessons_with_math = [p for p, m in crawl.math.items() if m["elements"]]
    assert any(p.startswith("lessons/") for p in lessons_with_math)
    untypeset = {p: m["untypeset"] for p, m in crawl.math.items() if m["untypeset"]}
    errors = {p: m["errors"] for p, m in crawl.math.items() if m["errors"]}
    assert not untypeset
    assert not errors


def test_search_finds_a_lesson_by_a_word_from_its_text(crawl):
    """Searching the site for a word of one lesson's text lists that lesson."""
    assert SEARCH_WORD in (ROOT / f"{SEARCH_LESSON}.ipynb").read_text().lower()
    assert any(
        urldefrag(url)[0] == f"{crawl.base}{SEARCH_LESSON}.html" for url in crawl.search_results
    )


def test_screenshots_of_the_home_page_and_a_lesson_are_saved(crawl):
    """The crawl leaves PNG screenshots of the home page and a lesson for a reviewer."""
    for name in ("home.png", "lesson.png", "lesson-plot.png"):
        data = (SHOTS / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 1000 and height >= 600
