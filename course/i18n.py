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
# feedback page.  ``Translator(table).text`` turns such text into another language with a
# catalogue {English: translation}: whole messages, templates ("{name}: expected shape
# {expected}, ..."), a label and what follows it ("Likely cause: ...", "hint: ..."), line by
# line; the cross-check table's header and yes/no columns.  A line it does not know stays.

import re

_FIELD = re.compile(r"\{([A-Za-z_]\w*)\}")
#: labels the toolkit puts before a message of its own
_LABELS = ("Likely cause:", "hint:", "Check failed:")
_HEADER = re.compile(r"tensor +exact +close +max \|diff\| +rel\. error +worst at")
_ROW = re.compile(r"^(.{22} )(yes|no)( +)(yes|no)( +)(.*)$")


class Translator:
    def __init__(self, table: dict):
        self.table = {k: v for k, v in table.items() if isinstance(v, str) and v}
        templates = []
        for english, said in self.table.items():
            if "{" not in english:
                continue
            pattern, names, pos = "", [], 0
            for m in _FIELD.finditer(english):
                pattern += re.escape(english[pos:m.start()])
                name = m.group(1)
                pattern += f"(?P={name})" if name in names else f"(?P<{name}>.+?)"
                names.append(name)
                pos = m.end()
            pattern += re.escape(english[pos:])
            pattern = pattern.replace(".+?", "(?s:.+?)") if "\n" in english else pattern
            literal = len(_FIELD.sub("", english))
            if literal >= 4 and names:
                try:
                    templates.append((literal, re.compile(pattern), said))
                except re.error:
                    continue
        templates.sort(key=lambda t: -t[0])
        self.templates = [(p, s) for _, p, s in templates]

    def line(self, text: str, depth: int = 0) -> str:
        table = self.table
        if not text.strip() or depth > 4:
            return text
        indent = text[:len(text) - len(text.lstrip())]
        body = text.strip()
        if body in table:
            return indent + table[body]
        if body.startswith("CheckFailed: "):
            return indent + table.get("Check failed:", "CheckFailed:") + " " + \
                self.line(body[len("CheckFailed: "):], depth + 1)
        for label in _LABELS:
            if body.startswith(label + " ") and label in table:
                return indent + table[label] + " " + self.line(body[len(label) + 1:], depth + 1)
        matches = [(p.fullmatch(body), said) for p, said in self.templates]
        matches += [(p.match(body), said) for p, said in self.templates]
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
            return indent + head + (" " + self.line(rest.strip(), depth + 1) if rest else "")
        if "; or " in body and "; or " in table:
            parts = body.split("; or ")
            if all(p in table for p in parts):
                return indent + table["; or "].join(table[p] for p in parts)
        return text

    def _row(self, line: str) -> str:
        m = _ROW.match(line)
        if m is None:
            return line
        a = self.table.get(m.group(2), m.group(2))
        b = self.table.get(m.group(4), m.group(4))
        return (m.group(1) + a.ljust(len(m.group(2))) + m.group(3) + b.ljust(len(m.group(4)))
                + m.group(5) + m.group(6))

    def text(self, text: str) -> str:
        if not self.table:
            return text
        t = self.table
        out, in_table = [], False
        for line in text.split("\n"):
            found = _HEADER.search(line)
            if found:
                head = (f"{t.get('tensor', 'tensor'):<22} {t.get('exact', 'exact'):<6} "
                        f"{t.get('close', 'close'):<6} {t.get('max |diff|', 'max |diff|'):>11}"
                        f"  {t.get('rel. error', 'rel. error'):>10}  {t.get('worst at', 'worst at')}")
                out.append(line[:found.start()] + head)
                in_table = True
            elif in_table and (set(line.strip()) == {"-"} or _ROW.match(line)):
                out.append(self._row(line))
            else:
                in_table = False
                out.append(self.line(line))
        return "\n".join(out)


@lru_cache(maxsize=4)
def _translator(lang: str) -> Translator:
    return Translator(catalogue(lang))


def translate_message(text: str) -> str:
    """A message in the release's language: a catalogue entry as it stands, else a
    template of the catalogue whose fixed text it matches (an f-string message of a test
    cell, ``{v1}``, ``{v2}``… its values), else line by line as ``translate_output``."""
    lang = language()
    if lang == "en":
        return text
    said = catalogue(lang).get(text)
    if said:
        return said
    translator = _translator(lang)
    if "\n" in text:
        for pattern, said in translator.templates:
            m = pattern.fullmatch(text)
            if m is not None:
                try:
                    return said.format(**m.groupdict())
                except (KeyError, IndexError, ValueError):
                    break
    return translator.text(text)


def translate_output(text: str, lang: str | None = None) -> str:
    """``text`` printed by the English toolkit, in ``lang`` (default: the release's), with
    the catalogue shipped beside the toolkit."""
    lang = lang or language()
    return text if lang == "en" else _translator(lang).text(text)
