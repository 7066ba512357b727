"""A new gathering as staff fill in the form, checked field by field and turned into what
registration's API takes. Times are typed as the people there read them, in the gathering's zone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .words import N_

KINDS = ("community_of_practice", "networking_evening", "conference", "group_meeting", "informal_meetup")
MODALITIES = ("virtual", "in_person", "hybrid")
ZONES = ("America/Halifax", "America/Toronto", "America/Vancouver", "America/Moncton", "Europe/London")
TICKET_KINDS = ("member", "non_member", "student", "free")
CATEGORIES = ("community_of_practice", "peer_supervision", "formal_learning", "self_directed")


@dataclass(frozen=True)
class GatheringForm:
    body: dict[str, Any]
    breakouts: list[dict[str, Any]]
    problems: list[tuple[str, str]] = field(default_factory=list)
    new_series: dict[str, Any] | None = None  # a series to create first, the gathering then in it


def _local(text: str, zone: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        return None


def _cents(text: str) -> int | None:
    try:
        amount = Decimal(text.strip() or "0")
    except InvalidOperation:
        return None
    return int(amount * 100) if 0 <= amount <= 100_000 else None


def _ticket_types(form: dict[str, str], problems: list[tuple[str, str]]) -> list[dict[str, Any]]:
    chosen = []
    for kind in TICKET_KINDS:
        if form.get(f"ticket_{kind}") != "on":
            continue
        cents = _cents(form.get(f"price_{kind}", ""))
        if cents is None:
            problems.append((f"price_{kind}", N_("Enter a price in dollars, like 25 or 25.50.")))
        chosen.append({"kind": kind, "price_cents": cents or 0, "currency": "CAD"})
    if not chosen:
        problems.append(("ticket_member", N_("Choose at least one ticket type.")))
    return chosen


def _times(form: dict[str, str], zone: str, problems: list[tuple[str, str]]) -> dict[str, str]:
    starts, ends = _local(form.get("starts_at", ""), zone), _local(form.get("ends_at", ""), zone)
    if starts is None:
        problems.append(("starts_at", N_("Enter when it starts, as a date and time.")))
    if ends is None:
        problems.append(("ends_at", N_("Enter when it ends, as a date and time.")))
    elif starts is not None and ends <= starts:
        problems.append(("ends_at", N_("The end must be after the start.")))
    return {"starts_at": starts.isoformat() if starts else "", "ends_at": ends.isoformat() if ends else ""}


def _credit_policy(form: dict[str, str], problems: list[tuple[str, str]]) -> dict[str, Any] | None:
    hours = form.get("credit_hours", "").strip()
    if not hours:
        return None
    try:
        value = Decimal(hours)
    except InvalidOperation:
        value = Decimal(0)
    if not 0 < value <= 100:
        problems.append(("credit_hours", N_("Enter CPD hours between 0.25 and 100, or leave it empty.")))
    category = form.get("credit_category", CATEGORIES[0])
    return {
        "hours": hours,
        "minimum_attendance_fraction": "0.75",
        "category": category if category in CATEGORIES else CATEGORIES[0],
    }


def _breakouts(form: dict[str, str], problems: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if form.get("french_breakout") != "on":
        return []
    capacity = form.get("breakout_capacity", "").strip()
    if not capacity.isdigit() or int(capacity) < 1:
        problems.append(("breakout_capacity", N_("Enter how many people the breakout holds, as a number.")))
        return []
    name = form.get("breakout_name", "").strip() or "Groupe francophone"
    return [{"name": {"en": name, "fr": name}, "language": "fr", "capacity": int(capacity)}]


def _series(
    form: dict[str, str], problems: list[tuple[str, str]]
) -> tuple[str | None, dict[str, Any] | None]:
    """The series chosen: none, one that exists (its id), or a new one (`new`) to create first."""
    chosen = form.get("series_id", "")
    if chosen != "new":
        try:
            return str(uuid.UUID(chosen)), None
        except ValueError:
            return None, None
    title_en, title_fr = form.get("series_title_en", "").strip(), form.get("series_title_fr", "").strip()
    cadence = form.get("series_cadence", "").strip()
    if not title_en:
        problems.append(("series_title_en", N_("Enter the series' title in English.")))
    if not title_fr:
        problems.append(("series_title_fr", N_("Enter the series' title in French.")))
    if not cadence or len(cadence) > 50:
        problems.append(("series_cadence", N_("Enter how often it meets, for example quarterly.")))
    return None, {"title": {"en": title_en, "fr": title_fr}, "cadence": cadence}


def _zone(form: dict[str, str]) -> str:
    """The zone chosen: any IANA zone (an edited gathering may be in one the list does not offer)."""
    try:
        return str(ZoneInfo(form.get("time_zone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        return ZONES[0]


def read_gathering_form(form: dict[str, str], *, change: bool = False) -> GatheringForm:
    """What registration needs to schedule the gathering (or, with `change`, to change it: a
    blank video link keeps the one stored, which is never shown), and every problem found."""
    problems: list[tuple[str, str]] = []
    title_en, title_fr = form.get("title_en", "").strip(), form.get("title_fr", "").strip()
    if not title_en:
        problems.append(("title_en", N_("Enter the title in English.")))
    if not title_fr:
        problems.append(("title_fr", N_("Enter the title in French.")))
    zone = _zone(form)
    times = _times(form, zone, problems)
    capacity = form.get("capacity", "").strip()
    if not capacity.isdigit():
        problems.append(("capacity", N_("Enter how many people can come, as a number.")))
    modality = form.get("modality", "") if form.get("modality") in MODALITIES else "virtual"
    join_url, venue = form.get("join_url", "").strip(), form.get("venue", "").strip()
    keep_link = change and not join_url
    if modality != "in_person" and not keep_link and not join_url.startswith("https://"):
        problems.append(("join_url", N_("Enter the video link, starting with https://.")))
    if modality != "virtual" and not venue:
        problems.append(("venue", N_("Enter where it takes place.")))
    body: dict[str, Any] = {
        "title": {"en": title_en, "fr": title_fr},
        "kind": form.get("kind") if form.get("kind") in KINDS else KINDS[0],
        "modality": modality,
        "time_zone": zone,
        **times,
        "capacity": int(capacity) if capacity.isdigit() else 0,
        "join_url": join_url or None,
        "venue": venue or None,
        "ticket_types": _ticket_types(form, problems),
        "credit_policy": _credit_policy(form, problems),
    }
    body["series_id"], new_series = _series(form, problems)
    if keep_link:
        del body["join_url"]
    return GatheringForm(body, [] if change else _breakouts(form, problems), problems, new_series)


def form_of(gathering: dict[str, Any]) -> dict[str, str]:
    """A stored gathering (registration's answer) as the form shows it, times in its own zone."""
    zone = ZoneInfo(gathering["time_zone"])

    def local(moment: str) -> str:
        return datetime.fromisoformat(moment).astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    form = {
        "title_en": gathering["title"]["en"],
        "title_fr": gathering["title"]["fr"],
        "kind": gathering["kind"],
        "modality": gathering["modality"],
        "time_zone": gathering["time_zone"],
        "starts_at": local(gathering["starts_at"]),
        "ends_at": local(gathering["ends_at"]),
        "capacity": str(gathering["capacity"]),
        "venue": gathering.get("venue") or "",
        "series_id": gathering.get("series_id") or "",
    }
    for ticket in gathering["ticket_types"]:
        form |= {
            f"ticket_{ticket['kind']}": "on",
            f"price_{ticket['kind']}": f"{ticket['price_cents'] / 100:.2f}",
        }
    if gathering.get("credit_policy"):
        policy = gathering["credit_policy"]
        form |= {"credit_hours": str(policy["hours"]), "credit_category": policy["category"]}
    return form


STATUSES = ("open", "closed", "cancelled")


def status_change_problems(status: str, reason: str) -> list[tuple[str, str]]:
    """Opening and closing need nothing more; a cancellation tells holders why, so it needs a reason."""
    if status not in STATUSES:
        return [("status", N_("Choose what to do with the gathering."))]
    if status == "cancelled" and not reason.strip():
        return [("reason", N_("Enter the reason ticket holders will read."))]
    return []


def read_breakout_form(form: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A breakout added to a gathering: a name in both languages, a language or none, a capacity."""
    problems: list[tuple[str, str]] = []
    name_en, name_fr = form.get("name_en", "").strip(), form.get("name_fr", "").strip()
    if not name_en:
        problems.append(("name_en", N_("Enter the breakout's name in English.")))
    if not name_fr:
        problems.append(("name_fr", N_("Enter the breakout's name in French.")))
    capacity = form.get("capacity", "").strip()
    if not capacity.isdigit() or int(capacity) < 1:
        problems.append(("capacity", N_("Enter how many people the breakout holds, as a number.")))
    language = form.get("language", "")
    body: dict[str, Any] = {
        "name": {"en": name_en, "fr": name_fr},
        "language": language if language in ("en", "fr") else None,
        "practice_area": form.get("practice_area", "").strip() or None,
        "capacity": int(capacity) if capacity.isdigit() else 0,
    }
    return body, problems
