"""Rendering an email: Jinja2 templates in English and French, a plain-text and an HTML part each.

`templates/<name>.<lang>.txt` holds the subject (a block) and the plain text; `<name>.<lang>.html`
the HTML part, autoescaped. Both extend a layout that adds the greeting and the footer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hearth_shared.contracts.catalogue import Bilingual, Language
from hearth_shared.signed_links import SignedLinks

from . import links as signed
from .gatherings import Gathering
from .people import Person
from .preferences import TEMPLATES, Category
from .times import when

_templates = Environment(
    loader=PackageLoader("hearth_notifications", "domain/templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
)


@dataclass(frozen=True)
class Email:
    template: str
    category: Category
    language: Language
    to_address: str
    person_id: uuid.UUID | None
    subject: str
    text: str
    html: str
    calendar: str | None = None
    unsubscribe_url: str | None = None  # non-critical emails: RFC 8058 one-click, for their category


def gathering_context(gathering: Gathering, language: Language) -> dict[str, Any]:
    """What every template about a gathering (or group meeting) shows of it."""
    return {
        "title": gathering.title,
        "when": when(gathering.starts_at, gathering.ends_at, gathering.time_zone, language),
        "venue": gathering.venue,
        "join_url": gathering.join_url,
    }


def compose(
    template: str, to: Person, links: SignedLinks, *, calendar: str | None = None, **context: Any
) -> Email:
    """Render `template` for `to` in their language; bilingual values become their language's
    text. Every footer links to the person's email preferences; a non-critical email also carries
    the one-click opt-out of its category."""
    language = to.language
    kind = TEMPLATES[template]
    unsubscribe = None if kind.critical else signed.unsubscribe(links, to.person_id, kind.category)
    values = {k: getattr(v, language) if isinstance(v, Bilingual) else v for k, v in context.items()}
    values |= {"name": to.name, "language": language}
    values |= {"preferences_url": signed.preferences(links, to.person_id), "unsubscribe_url": unsubscribe}
    text_template = _templates.get_template(f"{template}.{language}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    return Email(
        template=template,
        category=kind.category,
        language=language,
        to_address=to.email,
        person_id=to.person_id,
        subject=" ".join(subject.split()),
        text=text_template.render(values),
        html=_templates.get_template(f"{template}.{language}.html").render(values),
        calendar=calendar,
        unsubscribe_url=unsubscribe,
    )
