"""Languages of the output: gettext catalogs (compiled with Babel) under ``allocate/locale``.

English is the source language and the default. ``--lang zh`` or ``ALLOCATE_LANG=zh`` switches the
report, the workbook, the CLI summary and the input error messages to Chinese. Strings are marked
with :func:`_` in code and ``{{ _("...") }}`` in the report template; ``make i18n`` extracts them
with ``pybabel`` and compiles the catalogs.

A message made before it is shown (an input error's "expected ...", a loader warning) is built
with :func:`L_`: it is English text, as the library's callers and its JSON see it, that also
remembers its msgid and values, so :func:`localize` shows it in the language set when printed.
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
    return _current.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction only; it is translated where it is shown."""
    return message


class Text(str):
    """English text that remembers the msgid and values it was made from (see :func:`L_`).

    It is a ``str`` (equal to its English text, written as such to JSON and logs); only
    :func:`localize` looks at the msgid. `msgid` and `params` default to the text itself, so a
    pickled copy (a batch worker's) comes back whole.
    """

    msgid: str
    params: dict[str, object]

    def __new__(cls, english: str, msgid: str | None = None, params: dict[str, object] | None = None) -> Text:
        self = super().__new__(cls, english)
        self.msgid = english if msgid is None else msgid
        self.params = dict(params or {})
        return self


def L_(msgid: str, **params: object) -> Text:
    """`msgid` filled with `params`, in English now and in the current language when localized.

    Marked for extraction like :func:`_`; a value that is itself a :class:`Text` is localized too.
    """
    return Text(msgid % params if params else msgid, msgid, params)


def localize(text: object) -> str:
    """`text` in the current language: a :class:`Text` by its msgid, another string as a whole msgid;
    itself when the catalog does not have it (so English is always the text as it was made)."""
    if isinstance(text, Text):
        template = _(text.msgid)
        if template == text.msgid:  # English, or not in the catalog: the text as it was made
            return str.__str__(text)
        if not text.params:
            return template
        params = {k: localize(v) if isinstance(v, Text) else v for k, v in text.params.items()}
        return template % params
    return _(text) if isinstance(text, str) else str(text)
