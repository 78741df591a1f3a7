"""The toolkit's messages in the release's language.

The release says its language in ``course/release.json`` (``"lang": "cs"``, written by
``grader release DAY --lang cs``); the translations ship beside this module as
``course/locale/<lang>.json`` ({English message: translation}, compiled from
``locale/<lang>/toolkit.po`` by ``grader translations update``).  The student's own
environment (LANG, locale settings) plays no part: a student reads the release's language.
A message without a translation stays English.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def language() -> str:
    try:
        data = json.loads((HERE / "release.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "en"
    lang = data.get("lang") if isinstance(data, dict) else None
    return lang if isinstance(lang, str) and lang.isalpha() else "en"


@lru_cache(maxsize=4)
def catalogue(lang: str) -> dict:
    if lang == "en":
        return {}
    try:
        data = json.loads((HERE / "locale" / f"{lang}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _(message: str) -> str:
    """``message`` (English, the msgid) in the release's language."""
    return catalogue(language()).get(message, message)


# --- text the toolkit printed in English, read back in a language ---------------------------
#
# The judge grades with the toolkit of the repository, whose language is English; what a
# test printed there (a failed check, a likely bug, the cross-check table) reaches the
# feedback page.  ``translate_output`` turns such text into the release's language with the
# same catalogue: whole messages, templates ("{name}: expected shape {expected}, ..."), a
# label and what follows it ("Likely cause: ...", "hint: ..."), line by line.

import re

_FIELD = re.compile(r"\{(\w+)\}")
#: labels the toolkit puts before a message of its own
_LABELS = ("Likely cause:", "hint:", "Check failed:")


@lru_cache(maxsize=4)
def _templates(lang: str):
    out = []
    for english, said in catalogue(lang).items():
        if "{" not in english or not isinstance(said, str):
            continue
        pattern, names, pos = "", [], 0
        for m in _FIELD.finditer(english):
            pattern += re.escape(english[pos:m.start()])
            name = m.group(1)
            pattern += f"(?P={name})" if name in names else f"(?P<{name}>.+?)"
            names.append(name)
            pos = m.end()
        pattern += re.escape(english[pos:])
        literal = len(_FIELD.sub("", english))
        if literal >= 4:
            out.append((literal, re.compile(pattern), said))
    out.sort(key=lambda t: -t[0])
    return [(p, s) for _, p, s in out]


def _line(text: str, lang: str, depth: int = 0) -> str:
    table = catalogue(lang)
    if not text.strip() or depth > 4:
        return text
    indent = text[:len(text) - len(text.lstrip())]
    body = text.strip()
    if body in table:
        return indent + table[body]
    if body.startswith("CheckFailed: "):
        return indent + table.get("Check failed:", "CheckFailed:") + " " + \
            _line(body[len("CheckFailed: "):], lang, depth + 1)
    for label in _LABELS:
        if body.startswith(label + " ") and label in table:
            return indent + table[label] + " " + _line(body[len(label) + 1:], lang, depth + 1)
    matches = [(p.fullmatch(body), said) for p, said in _templates(lang)]
    matches += [(p.match(body), said) for p, said in _templates(lang)]
    for m, said in matches:
        if m is None:
            continue
        rest = body[m.end():]
        if rest and not rest.startswith(" "):
            continue
        values = {k: table.get(v, v) for k, v in m.groupdict().items()}
        try:
            head = said.format(**values)
        except (KeyError, IndexError, ValueError):
            continue
        return indent + head + (" " + _line(rest.strip(), lang, depth + 1) if rest else "")
    if "; or " in body and "; or " in table:
        parts = body.split("; or ")
        if all(p in table for p in parts):
            return indent + table["; or "].join(table[p] for p in parts)
    return text


_HEADER = re.compile(r"tensor +exact +close +max \|diff\| +rel\. error +worst at")
_ROW = re.compile(r"^(.{22} )(yes|no)( +)(yes|no)( +)(.*)$")


def _table_row(line: str, table: dict) -> str:
    m = _ROW.match(line)
    if m is None:
        return line
    a, b = table.get(m.group(2), m.group(2)), table.get(m.group(4), m.group(4))
    return (m.group(1) + a.ljust(len(m.group(2))) + m.group(3) + b.ljust(len(m.group(4)))
            + m.group(5) + m.group(6))


def translate_output(text: str, lang: str | None = None) -> str:
    """``text`` printed by the English toolkit, in ``lang`` (default: the release's)."""
    lang = lang or language()
    table = catalogue(lang)
    if lang == "en" or not table:
        return text
    out, in_table = [], False
    for line in text.split("\n"):
        if _HEADER.search(line):
            head = (f"{table.get('tensor', 'tensor'):<22} {table.get('exact', 'exact'):<6} "
                    f"{table.get('close', 'close'):<6} {table.get('max |diff|', 'max |diff|'):>11}"
                    f"  {table.get('rel. error', 'rel. error'):>10}  "
                    f"{table.get('worst at', 'worst at')}")
            out.append(line[:_HEADER.search(line).start()] + head)
            in_table = True
        elif in_table and (set(line.strip()) == {"-"} or _ROW.match(line)):
            out.append(_table_row(line, table))
        else:
            in_table = False
            out.append(_line(line, lang))
    return "\n".join(out)
