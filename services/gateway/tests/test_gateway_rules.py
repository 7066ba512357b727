"""The gateway's rules with no I/O: roles, passwords, session ends, codes, the gathering form,
pages, and that every word on the pages has its French."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from importlib import resources

import pyotp
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hearth_gateway.actions.throttle import Limit, account_key
from hearth_gateway.api.i18n import language_of, load_translations
from hearth_gateway.domain import two_factor
from hearth_gateway.domain.gatherings import form_of, read_breakout_form, read_gathering_form
from hearth_gateway.domain.pages import Page, paginate
from hearth_gateway.domain.passwords import password_problems
from hearth_gateway.domain.roles import GRANTS, Permission, Role, may, two_factor_required
from hearth_gateway.domain.sessions import SessionRules, SessionState, Stage, session_state
from hearth_gateway.domain.staff import NextStep, Staff, after_password, normalise_code

NOW = datetime(2027, 3, 11, 16, 0, tzinfo=UTC)


def _staff(role: Role, two_factor_on: bool = False) -> Staff:
    return Staff(uuid.uuid4(), "sam@example.org", role, two_factor_on, False, NOW)


def test_check_in_staff_may_only_check_people_in() -> None:
    assert GRANTS[Role.CHECK_IN] == {Permission.VIEW_GATHERINGS, Permission.CHECK_IN, Permission.OWN_ACCOUNT}
    assert not may(Role.CHECK_IN, Permission.VIEW_PEOPLE)
    assert not may(Role.CHECK_IN, Permission.EXPORT_REGISTRANTS)


def test_viewers_read_but_change_nothing_and_only_admins_hold_the_keys() -> None:
    changes = {Permission.MANAGE_GATHERINGS, Permission.CHECK_IN, Permission.DECIDE_SELF_REPORTS,
               Permission.RESEND_EMAILS, Permission.EXPORT_REGISTRANTS}  # fmt: skip
    assert not GRANTS[Role.VIEWER] & changes
    for key in (Permission.MANAGE_STAFF, Permission.VIEW_AUDIT, Permission.HANDLE_PARKED):
        assert [r for r in Role if may(r, key)] == [Role.ADMIN]
    assert GRANTS[Role.COORDINATOR] >= changes
    assert GRANTS[Role.ADMIN] == frozenset(Permission)


def test_admins_must_use_a_second_factor_and_others_may() -> None:
    assert [r for r in Role if two_factor_required(r)] == [Role.ADMIN]
    assert after_password(_staff(Role.ADMIN)) is NextStep.SET_UP_TWO_FACTOR
    assert after_password(_staff(Role.ADMIN, two_factor_on=True)) is NextStep.ENTER_CODE
    assert after_password(_staff(Role.VIEWER)) is NextStep.DONE
    assert after_password(_staff(Role.VIEWER, two_factor_on=True)) is NextStep.ENTER_CODE


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("short", ["too_short"]),
        ("river-stone-2027-winter", []),
        ("aaaaaaaaaaaaaaaa", ["repetitive"]),
        ("my-sam@example-password", ["contains_email"]),
        ("x" * 257, ["too_long", "repetitive"]),
    ],
)
def test_passwords_are_long_and_not_the_address(password: str, codes: list[str]) -> None:
    assert [p.code for p in password_problems(password, "sam@example.org")] == codes


def test_a_session_ends_when_idle_or_at_its_absolute_limit() -> None:
    rules = SessionRules(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    started = NOW

    def state(stage: Stage, last_seen: timedelta, now: timedelta) -> SessionState:
        return session_state(rules, stage, started, started + last_seen, started + now)

    assert state(Stage.COMPLETE, timedelta(minutes=10), timedelta(minutes=39)) is SessionState.ACTIVE
    assert state(Stage.COMPLETE, timedelta(minutes=10), timedelta(minutes=40)) is SessionState.IDLE
    assert state(Stage.COMPLETE, timedelta(hours=11, minutes=59), timedelta(hours=12)) is SessionState.EXPIRED
    # Between the password and the code, ten minutes at most.
    assert state(Stage.PASSWORD, timedelta(minutes=9), timedelta(minutes=10)) is SessionState.EXPIRED


def test_a_one_time_code_matches_its_step_or_a_neighbour_only() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(NOW)
    assert two_factor.matching_step(secret, totp.at(NOW), NOW) == step
    assert two_factor.matching_step(secret, totp.at(NOW - timedelta(seconds=30)), NOW) == step - 1
    assert two_factor.matching_step(secret, totp.at(NOW + timedelta(seconds=30)), NOW) == step + 1
    assert two_factor.matching_step(secret, totp.at(NOW - timedelta(seconds=90)), NOW) is None
    assert normalise_code(" 123 456 ") == "123456"
    assert normalise_code("ABCDE-fghij") == "abcdefghij"
    assert two_factor.shown("abcdefghij") == "abcde-fghij"


def _gathering_form(**overrides: str) -> dict[str, str]:
    form = {
        "title_en": "Quarterly community of practice", "title_fr": "Communauté de pratique trimestrielle",
        "kind": "community_of_practice", "modality": "virtual", "time_zone": "America/Halifax",
        "starts_at": "2027-03-11T12:00", "ends_at": "2027-03-11T13:30", "capacity": "50",
        "join_url": "https://video.example.org/j/1", "ticket_member": "on", "price_member": "0",
        "ticket_non_member": "on", "price_non_member": "25.50", "french_breakout": "on",
        "breakout_name": "Groupe francophone", "breakout_capacity": "15", "credit_hours": "1.5",
    }  # fmt: skip
    return form | overrides


def test_the_gathering_form_becomes_what_registration_takes() -> None:
    checked = read_gathering_form(_gathering_form())
    assert checked.problems == []
    assert checked.body["starts_at"] == "2027-03-11T12:00:00-04:00"  # Halifax standard time, as typed
    assert checked.body["ticket_types"] == [
        {"kind": "member", "price_cents": 0, "currency": "CAD"},
        {"kind": "non_member", "price_cents": 2550, "currency": "CAD"},
    ]
    assert checked.body["credit_policy"]["hours"] == "1.5"
    assert checked.breakouts == [
        {"name": {"en": "Groupe francophone", "fr": "Groupe francophone"}, "language": "fr", "capacity": 15}
    ]


def test_the_gathering_form_names_every_field_to_fix() -> None:
    checked = read_gathering_form(
        _gathering_form(
            title_fr="",
            ends_at="2027-03-11T11:00",
            capacity="many",
            join_url="http://x",
            ticket_member="",
            ticket_non_member="",
            breakout_capacity="0",
        )
    )
    assert [field for field, _ in checked.problems] == [
        "title_fr", "ends_at", "capacity", "join_url", "ticket_member", "breakout_capacity",
    ]  # fmt: skip


def test_a_long_list_is_shown_a_page_at_a_time() -> None:
    shown, window = paginate(list(range(120)), Page.of(3))
    assert shown == list(range(100, 120))
    assert (window.has_previous, window.has_next, window.last) == (True, False, 3)
    assert Page.of(0).number == 1


def test_every_word_on_the_pages_has_its_canadian_french() -> None:
    package = resources.files("hearth_gateway")
    source = str(package.joinpath(""))
    found = {
        message[2]
        for message in extract_from_dir(
            source,
            [("**.py", "python"), ("templates/**.html", "jinja2")],
            {"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
        )
    }
    po = package / "locale" / "fr_CA" / "LC_MESSAGES" / "messages.po"
    catalogue = read_po(io.StringIO(po.read_text(encoding="utf-8")))
    translated = {m.id for m in catalogue if m.id and m.string and all(m.string)}
    assert found - translated == set(), "run pybabel extract/update (docs/gateway.md) and translate"
    french = load_translations()["fr"]
    assert french.gettext("Sign in") == "Ouvrir une session"
    assert french.ngettext("%(num)d registrant matches.", "%(num)d registrants match.", 2) % {"num": 2} == (
        "2 inscriptions correspondent."
    )


def test_the_language_is_the_one_chosen_else_the_browsers() -> None:
    assert language_of("fr", "en-CA,en") == "fr"
    assert language_of(None, "fr-CA,fr;q=0.9,en;q=0.5") == "fr"
    assert language_of("de", "de-DE") == "en"


def test_a_stored_gathering_comes_back_to_the_form_as_it_was_typed() -> None:
    stored = {
        "title": {"en": "Networking evening", "fr": "Soirée de réseautage"},
        "kind": "networking_evening",
        "modality": "in_person",
        "time_zone": "Europe/London",
        "starts_at": "2027-03-25T18:00:00Z",
        "ends_at": "2027-03-25T21:30:00Z",
        "capacity": 40,
        "venue": "The Crypt, London",
        "ticket_types": [{"kind": "member", "price_cents": 1500, "currency": "CAD"}],
        "credit_policy": None,
    }
    form = form_of(stored)
    assert (form["starts_at"], form["price_member"]) == ("2027-03-25T18:00", "15.00")
    checked = read_gathering_form(form, change=True)
    assert checked.problems == []
    assert checked.body["starts_at"] == "2027-03-25T18:00:00+00:00"
    assert checked.body["time_zone"] == "Europe/London"
    assert "join_url" not in checked.body  # kept as stored


def test_a_breakout_needs_both_names_and_a_capacity() -> None:
    body, problems = read_breakout_form(
        {"name_en": "Circle", "name_fr": "Cercle", "language": "de", "capacity": "8"}
    )
    assert problems == []
    assert body == {
        "name": {"en": "Circle", "fr": "Cercle"},
        "language": None,
        "practice_area": None,
        "capacity": 8,
    }
    _, problems = read_breakout_form({"name_en": "Circle", "capacity": "0"})
    assert [field for field, _ in problems] == ["name_fr", "capacity"]


def test_login_limits_read_the_limits_notation_and_accounts_are_counted_by_a_hash() -> None:
    assert Limit.of("5/15 minutes") == Limit(5, timedelta(minutes=15))
    assert Limit.of("20 per hour") == Limit(20, timedelta(hours=1))
    assert account_key(" Sam@Example.org ") == account_key("sam@example.org")
    assert "sam" not in account_key("sam@example.org")
