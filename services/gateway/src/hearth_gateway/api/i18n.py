"""The staff pages in English and Canadian French: gettext catalogues (`locale/<lang>/LC_MESSAGES/
messages.po`, kept with Babel) compiled in memory at start-up, so no build step can forget them.

Strings outside templates (rules' messages) are marked with `N_` so Babel extracts them; pages
translate them when they show them."""

from __future__ import annotations

import gettext
import io
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ..domain.words import N_

__all__ = ["LANGUAGES", "N_", "language_of", "load_translations"]

LANGUAGES = {"en": "en-CA", "fr": "fr-CA"}  # what the switch offers -> the page's lang attribute
DEFAULT_LANGUAGE = "en"
_CATALOGUES = {"fr": "fr_CA"}


def load_translations() -> dict[str, gettext.NullTranslations]:
    """English as written; every other language from its catalogue, compiled here."""
    found: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
    locale = resources.files("hearth_gateway") / "locale"
    for language, folder in _CATALOGUES.items():
        source = (locale / folder / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        catalogue = read_po(io.StringIO(source), locale=folder)
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)
        compiled.seek(0)
        found[language] = gettext.GNUTranslations(compiled)
    return found


def language_of(cookie: str | None, accept_language: str | None, preferred: str | None = None) -> str:
    """The language a person chose (cookie), else the one we know they prefer (a signed link's
    person), else the first their browser prefers that we have."""
    for chosen in (cookie, preferred):
        if chosen in LANGUAGES:
            return chosen
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE
