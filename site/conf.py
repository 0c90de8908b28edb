"""Sphinx configuration of the course website (built by ``site/build.py``, ``make site``).

Everything a page loads is served from the site itself: the theme's files, the fonts
and MathJax 3, copied from the pinned ``django-static-mathjax`` package (it ships
MathJax's files; nothing of Django is used). Notebooks are rendered from their stored
outputs and never executed.
"""

import shutil
from pathlib import Path

import mathjax

project = "minprune"
html_title = "minprune"

extensions = ["myst_nb"]
exclude_patterns = ["_files/**", "exercises/**", "**/.ipynb_checkpoints"]
templates_path = []
html_static_path = ["_static"]
html_css_files = ["site.css"]
# A page without an icon makes the browser ask the host for /favicon.ico.
html_favicon = "_static/favicon.svg"

# Render the stored outputs, never run a notebook.
nb_execution_mode = "off"
# Markdown printed by a cell (display(Markdown(...))) has math in it too.
nb_render_markdown_format = "myst"
# No notebook has widgets; and their scripts would come from a CDN.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "footer_content_items": [],
}
# Plots are drawn on white: open in light mode (readers can switch).
html_context = {"default_mode": "light"}
html_show_sourcelink = False
html_last_updated_fmt = None

# MathJax 3 from this site, not from a CDN (Sphinx's default).
MATHJAX = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
MATHJAX_PARTS = ["tex-chtml.js", "a11y", "adaptors", "input", "output", "sre", "ui"]
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"},
}


def copy_mathjax(app, exception):
    """Put MathJax's component, its extensions and its fonts under ``_static/mathjax/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in MATHJAX_PARTS:
        source = MATHJAX / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / part)


def setup(app):
    app.connect("build-finished", copy_mathjax)
