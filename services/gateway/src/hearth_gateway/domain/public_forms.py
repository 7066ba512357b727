"""What visitors type on the public site, checked before any service is asked: the registration,
feedback and email-preference forms, each read into the body its service takes, with a problem
per field in the site's own words (marked for translation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .words import N_

Problems = list[tuple[str, str]]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGE_CODES = ("en", "fr")
TICKET_KINDS = ("member", "non_member", "student", "free")
WISHES = ("advocacy_campaign", "best_practice_resource", "peer_support", "peer_supervision")
CIRCLE = "practice_area_circle"  # the wish to join a practice-area circle, with its area
# What a person may opt out of; confirmations, offers, payments and certificates always come.
CATEGORIES = ("reminders", "feedback", "groups", "news")
DIGESTS = ("none", "daily", "weekly")  # as notifications sends them
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it

MEMBERSHIP_NOT_CONFIRMED = N_(
    "We could not confirm a membership for this email; choose a non-member ticket or contact us."
)
NON_MEMBER_FIELDS = {
    "profession": N_("Enter your profession."),
    "regulatory_body": N_("Enter the body that regulates your profession."),
    "region": N_("Enter your province, territory or country."),
}


@dataclass
class Checked:
    body: dict[str, Any] = field(default_factory=dict)
    problems: Problems = field(default_factory=list)


def _text(fields: dict[str, str], name: str, limit: int = 300) -> str:
    return fields.get(name, "").strip()[:limit]


def read_registration(fields: dict[str, str], offered: list[str], breakouts: list[str]) -> Checked:
    """A registration form as registration's `POST /gatherings/{id}/tickets` takes it."""
    out = Checked()
    name, email, kind = _text(fields, "name"), _text(fields, "email", 320), fields.get("ticket_type", "")
    if not name:
        out.problems.append(("name", N_("Enter your name.")))
    if not _EMAIL.match(email):
        out.problems.append(("email", N_("Enter your email address, like name@example.org.")))
    if kind not in offered:
        out.problems.append(("ticket_type", N_("Choose a ticket.")))
    language = fields.get("preferred_language", "")
    if language not in LANGUAGE_CODES:
        out.problems.append(("preferred_language", N_("Choose the language you prefer.")))
    breakout = fields.get("breakout_id", "")
    if breakout and breakout not in breakouts:
        out.problems.append(("breakout_id", N_("Choose a breakout from the list.")))
    out.body = {"name": name, "email": email, "preferred_language": language, "ticket_type": kind}
    out.body["breakout_id"] = breakout or None
    if kind == "non_member":
        for key, problem in NON_MEMBER_FIELDS.items():
            out.body[key] = _text(fields, key, 200 if key != "region" else 100)
            if not out.body[key]:
                out.problems.append((key, problem))
        out.body["attests_regulated_profession"] = fields.get("attests") == "yes"
        if not out.body["attests_regulated_profession"]:
            out.problems.append(("attests", N_("Confirm that you practise a regulated profession.")))
    return out


def registration_refusal(field_name: str | None, code: str) -> tuple[str, str] | None:
    """Registration's refusal as the form says it, or None when the form cannot say it (the page
    then says something went wrong). The service's own words are never shown: for a member
    ticket they would tell a stranger whether a membership lapsed."""
    if code == "membership_not_confirmed" or (code == "not_eligible" and field_name in (None, "ticket_type")):
        return ("ticket_type", MEMBERSHIP_NOT_CONFIRMED)
    if code == "not_eligible" and field_name in NON_MEMBER_FIELDS:
        return (field_name, NON_MEMBER_FIELDS[field_name])
    if code == "not_eligible":
        return ("attests", N_("Confirm that you practise a regulated profession."))
    known = {
        "already_registered": (
            "email",
            N_(
                "We could not register this email for this gathering. If you "
                "registered before, use the link in your confirmation email."
            ),
        ),
        "already_waitlisted": ("email", N_("This email is already on the waiting list for this gathering.")),
        "gathering_not_open": ("main", N_("Registration for this gathering is closed.")),
        "ticket_type_not_offered": ("ticket_type", N_("Choose a ticket.")),
        "breakout_full": ("breakout_id", N_("That breakout is full. Choose another, or let us place you.")),
        "unknown_breakout": ("breakout_id", N_("Choose a breakout from the list.")),
    }
    return known.get(code)


def read_feedback(fields: dict[str, str], areas: tuple[str, ...]) -> Checked:
    """The feedback form as registration's `PUT /gatherings/{gid}/feedback/{person}` takes it; a
    circle's area is one of `areas` (the configured practice areas, in groups' own codes)."""
    out = Checked()
    rating = fields.get("benefit_rating", "")
    if rating not in ("1", "2", "3", "4", "5"):
        out.problems.append(("benefit_rating", N_("Choose how much this helped you, from 1 to 5.")))
    comments = fields.get("comments", "").strip()
    if len(comments) > 5000:
        out.problems.append(("comments", N_("Keep your comments under 5000 characters.")))
    follow_up: list[dict[str, Any]] = [{"interest": w} for w in WISHES if fields.get(f"wish_{w}") == "yes"]
    if fields.get("wish_circle") == "yes":
        area, language = fields.get("circle_area", ""), fields.get("circle_language", "")
        if area not in areas:
            out.problems.append(("circle_area", N_("Choose the practice area of the circle from the list.")))
        follow_up.append(
            {"interest": CIRCLE, "practice_area": area, "language": language or None}
            if language in LANGUAGE_CODES
            else {"interest": CIRCLE, "practice_area": area}
        )
    out.body = {"benefit_rating": int(rating) if rating.isdigit() else 0, "comments": comments or None}
    out.body["follow_up"] = follow_up
    return out


def feedback_form(found: dict[str, Any] | None) -> dict[str, str]:
    """A person's earlier submission back in the form's fields, to edit it."""
    if not found:
        return {}
    fields = {"benefit_rating": str(found.get("benefit_rating", "")), "comments": found.get("comments") or ""}
    for wish in found.get("follow_up") or []:
        # A circle wish; before practice_area_circle existed the form sent peer_support with an area.
        if wish.get("interest") == CIRCLE or wish.get("practice_area"):
            fields |= {"wish_circle": "yes", "circle_area": wish.get("practice_area") or ""}
            fields["circle_language"] = wish.get("language") or ""
        else:
            fields[f"wish_{wish.get('interest')}"] = "yes"
    return fields


def read_preferences(fields: dict[str, str]) -> Checked:
    """The email-preferences form as notifications' `PUT /people/{id}/preferences` takes it."""
    out = Checked()
    digest, language = fields.get("digest", "none"), fields.get("language", "")
    if digest not in DIGESTS:
        out.problems.append(("digest", N_("Choose how often to hear about group activity.")))
    if language not in LANGUAGE_CODES:
        out.problems.append(("language", N_("Choose the language of your emails.")))
    opted_out = [c for c in CATEGORIES if fields.get(f"receive_{c}") != "yes"]
    out.body = {"opted_out": opted_out, "digest": digest, "language": language}
    return out


def preferences_form(found: dict[str, Any]) -> dict[str, str]:
    """Notifications' answer as the form shows it."""
    opted_out = set(found.get("opted_out") or [])
    fields = {f"receive_{c}": "yes" for c in CATEGORIES if c not in opted_out}
    digest = found.get("digest") or "none"
    return fields | {"digest": str(digest), "language": str(found.get("language") or "")}
