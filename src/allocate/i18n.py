"""Languages of the output: gettext catalogs (compiled with Babel) under ``allocate/locale``.

English is the source language and the default. ``--lang zh`` or ``ALLOCATE_LANG=zh`` switches the
report, the workbook, the CLI summary and the input error messages to Chinese. Strings are marked
with :func:`_` in code and ``{{ _("...") }}`` in the report template; ``make i18n`` extracts them
with ``pybabel`` and compiles the catalogs.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "allocate"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "zh")
ENV_VAR = "ALLOCATE_LANG"

_current: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def resolve(lang: str | None = None) -> str:
    """`lang`, else ``$ALLOCATE_LANG``, else English; ``zh_CN`` and ``zh-CN`` mean ``zh``."""
    text = (lang or os.environ.get(ENV_VAR) or "en").strip().lower().replace("-", "_")
    code = text.split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        raise ValueError(
            f"{lang or text!r} is not a supported language: expected one of {', '.join(LANGUAGES)}"
        )
    return code


def set_language(lang: str | None = None) -> str:
    """Switch the output language for this process; returns the language code chosen."""
    global _current, _language
    _language = resolve(lang)
    if _language == "en":
        _current = gettext.NullTranslations()
    else:
        _current = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[_language])
    return _language


def language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the current language (itself when there is no translation)."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction only; it is translated where it is shown."""
    return message
