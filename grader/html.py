"""HTML pages the project writes (feedback, solutions, the class summary) with math that
renders offline.

nbconvert's and nbgrader's templates load MathJax from a CDN: opened without internet
(a classroom behind a proxy, a train) every derivation stays raw ``$$…$$``.  Here each
page loads ``mathjax-offline.js`` from its own folder instead: one file made of the
course's MathJax configuration and MathJax 3's single-file TeX-to-SVG bundle (no fonts
or other files to fetch) from the installed ``django-static-mathjax`` package.

    offline_math(page)          rewrite a written page, put the script beside it
                                (or into it: inline=True)
    notebook_html(nb, path)     a notebook as such a page (nbconvert's lab template)
    standalone_page(...)        a page of the project's own (the class summary)
"""

from __future__ import annotations

import html as _html
import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path

#: pip's name of the package that ships MathJax (its Python package is ``mathjax``).
MATHJAX_DISTRIBUTION = "django-static-mathjax==3.2.2.1"
#: MathJax 3's TeX input + SVG output with every TeX extension in one file: SVG output
#: draws glyphs as paths, so nothing else (fonts, extensions) is fetched at run time.
MATHJAX_BUNDLE = Path("static", "mathjax", "es5", "tex-svg-full.js")
#: The file each page loads, written beside the page.
SCRIPT_NAME = "mathjax-offline.js"

#: nbconvert's MathJax 2 settings in MathJax 3's terms: $…$ inline (MathJax 3 leaves it
#: off by default), \$ for a dollar sign, AMS equation numbers.
MATHJAX_CONFIG = {
    "tex": {
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
        "processEnvironments": True,
        "tags": "ams",
    },
    "svg": {"fontCache": "global"},
}


class MathJaxMissing(RuntimeError):
    pass


def mathjax_bundle() -> Path:
    """The installed MathJax bundle; a clear error naming the package when it is missing."""
    spec = importlib.util.find_spec("mathjax")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / MATHJAX_BUNDLE
        if path.is_file():
            return path
    raise MathJaxMissing(
        f"MathJax for offline pages is not installed ({MATHJAX_BUNDLE} of the Python "
        f"package `mathjax`): pip install '{MATHJAX_DISTRIBUTION}' (or pip install -e .)")


@lru_cache(maxsize=1)
def math_script() -> bytes:
    """The content of ``mathjax-offline.js``: the configuration, then the bundle."""
    config = "window.MathJax = " + json.dumps(MATHJAX_CONFIG) + ";\n"
    return config.encode() + mathjax_bundle().read_bytes()


def write_math_script(folder: Path) -> Path:
    """``mathjax-offline.js`` in ``folder`` (rewritten only when it differs)."""
    path = Path(folder) / SCRIPT_NAME
    script = math_script()
    if not (path.is_file() and path.stat().st_size == len(script)
            and path.read_bytes() == script):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(script)
    return path


# Any <script> that loads MathJax (a CDN's, nbconvert's default, an earlier local copy),
# and nbconvert's MathJax 2 configuration block (inert under MathJax 3).
_LOADER = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"'][^\"']*(?:mathjax|MathJax)[^\"']*[\"'][^>]*>"
                     r"\s*</script>\s*", re.S)
_V2_CONFIG = re.compile(r"<script\b[^>]*type\s*=\s*[\"']text/x-mathjax-config[\"'][^>]*>.*?"
                        r"</script>\s*", re.S)
_OUR_TAG = f'<script src="{SCRIPT_NAME}"></script>\n'
# The script put into the page itself (its text never holds "</script").
_INLINE_ID = "mathjax-offline"
_INLINED = re.compile(rf'<script id="{_INLINE_ID}">.*?</script>\s*', re.S)


def _inline_tag() -> str:
    script = math_script().decode("utf-8").replace("</script", "<\\/script")
    return f'<script id="{_INLINE_ID}">\n{script}\n</script>\n'


def use_offline_math(page: str, inline: bool = False) -> str:
    """``page`` with every MathJax loader replaced by one ``<script src=mathjax-offline.js>``
    at the end of its head (so it runs after whatever the page defines before it); with
    ``inline``, by the script itself (a page that must work alone, ~2 MB more)."""
    page = _INLINED.sub("", _LOADER.sub("", _V2_CONFIG.sub("", page)))
    tag = _inline_tag() if inline else _OUR_TAG
    at = page.find("</head>")
    if at < 0:
        return tag + page
    return page[:at] + tag + page[at:]


def uses_offline_math(page: str) -> bool:
    """Whether ``page`` loads its math offline already (from beside it or from inside it)."""
    return page in (use_offline_math(page), use_offline_math(page, inline=True))


def offline_math(page: Path, inline: bool = False) -> list[Path]:
    """Rewrite the written HTML ``page`` to load the math script beside it; both paths.
    With ``inline`` the script goes into the page itself (for nbgrader's exchange, which
    returns feedback pages without the files beside them); then only the page's path."""
    page = Path(page)
    text = page.read_text(encoding="utf-8")
    new = use_offline_math(text, inline)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return [page] if inline else [page, write_math_script(page.parent)]


def notebook_html(nb, path: Path, template: str = "lab") -> list[Path]:
    """Notebook ``nb`` (a NotebookNode) as an HTML page at ``path`` whose math renders
    offline; the page and its script.  The one converter for every notebook page the
    project publishes (solutions, anything but nbgrader's own feedback)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=template, mathjax_url=SCRIPT_NAME)
    body, _ = exporter.from_notebook_node(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return offline_math(path)


def standalone_page(path: Path, title: str, body: str, style: str = "") -> list[Path]:
    """A page of the project's own (``body`` is HTML) with offline math; page and script."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_html.escape(title)}</title>\n"
        f"<style>\n{style}\n</style>\n{_OUR_TAG}</head>\n<body>\n{body}\n</body>\n</html>\n",
        encoding="utf-8")
    return [path, write_math_script(path.parent)]
