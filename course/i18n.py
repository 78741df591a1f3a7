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
