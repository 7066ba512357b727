"""The public site's rules with no I/O: what the forms become for the services, the site's own
words for registration's refusals (never a membership's status), and the calendar file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hearth_gateway.api.i18n import load_translations
from hearth_gateway.domain import practice_areas, public_events, public_forms
from hearth_gateway.settings import GatewaySettings
from hearth_groups.settings import GroupsSettings
from hearth_shared.settings import DEFAULT_PRACTICE_AREAS

pytestmark = pytest.mark.unit
OFFERED = ["member", "non_member"]
AREAS = DEFAULT_PRACTICE_AREAS


def test_a_non_member_registration_needs_its_profession_body_region_and_attestation() -> None:
    checked = public_forms.read_registration(
        {
            "name": "Alex",
            "email": "alex@example.org",
            "preferred_language": "fr",
            "ticket_type": "non_member",
        },
        OFFERED,
        [],
    )
    assert [field for field, _ in checked.problems] == ["profession", "regulatory_body", "region", "attests"]
    complete = public_forms.read_registration(
        {
            "name": " Alex ",
            "email": "alex@example.org",
            "preferred_language": "fr",
            "ticket_type": "non_member",
            "profession": "Social worker",
            "regulatory_body": "NSCSW",
            "region": "Nova Scotia",
            "attests": "yes",
            "breakout_id": "b1",
        },
        OFFERED,
        ["b1"],
    )
    assert complete.problems == []
    assert complete.body["name"] == "Alex"
    assert complete.body["attests_regulated_profession"] is True
    assert complete.body["breakout_id"] == "b1"


def test_a_registration_names_each_field_to_fix() -> None:
    checked = public_forms.read_registration({"email": "not-an-email", "breakout_id": "x"}, OFFERED, ["b1"])
    assert [field for field, _ in checked.problems] == [
        "name",
        "email",
        "ticket_type",
        "preferred_language",
        "breakout_id",
    ]


@pytest.mark.parametrize(
    ("field", "code"),
    [("ticket_type", "not_eligible"), (None, "not_eligible"), ("ticket_type", "membership_not_confirmed")],
)
def test_a_refused_member_ticket_is_said_in_the_sites_words_only(field: str | None, code: str) -> None:
    assert public_forms.registration_refusal(field, code) == (
        "ticket_type",
        public_forms.MEMBERSHIP_NOT_CONFIRMED,
    )


def test_a_refusal_the_form_cannot_say_is_left_to_the_error_page() -> None:
    assert public_forms.registration_refusal(None, "something_new") is None
    assert public_forms.registration_refusal("region", "not_eligible") == (
        "region",
        public_forms.NON_MEMBER_FIELDS["region"],
    )


def test_feedback_wishes_and_a_practice_area_circle_become_follow_ups() -> None:
    checked = public_forms.read_feedback(
        {
            "benefit_rating": "5",
            "comments": "  ",
            "wish_peer_supervision": "yes",
            "wish_circle": "yes",
            "circle_area": "housing_and_poverty",
            "circle_language": "fr",
        },
        AREAS,
    )
    assert checked.problems == []
    assert checked.body == {
        "benefit_rating": 5,
        "comments": None,
        "follow_up": [
            {"interest": "peer_supervision"},
            # Groups' own code of the area, chosen from the configured areas.
            {"interest": "practice_area_circle", "practice_area": "housing_and_poverty", "language": "fr"},
        ],
    }
    again = public_forms.feedback_form(checked.body)
    # The stored code goes back into the select as its value.
    assert (again["wish_circle"], again["circle_area"], again["circle_language"]) == (
        "yes",
        "housing_and_poverty",
        "fr",
    )
    assert "wish_practice_area_circle" not in again
    assert again["wish_peer_supervision"] == "yes"
    # A circle wish stored before practice_area_circle existed reads back as a circle wish too.
    older = public_forms.feedback_form(
        {"follow_up": [{"interest": "peer_support", "practice_area": "justice"}]}
    )
    assert (older["wish_circle"], older["circle_area"]) == ("yes", "justice")


@pytest.mark.parametrize("area", ["", "Logement et pauvreté", "Housing & poverty", "disability"])
def test_a_circle_wish_needs_one_of_the_configured_practice_areas(area: str) -> None:
    wished = {"benefit_rating": "4", "wish_circle": "yes", "circle_area": area}
    refused = public_forms.read_feedback(wished, AREAS)
    assert refused.problems == [("circle_area", "Choose the practice area of the circle from the list.")]
    # The area is only asked for with the wish: without it, nothing about the area is refused.
    assert public_forms.read_feedback({"benefit_rating": "4", "circle_area": area}, AREAS).problems == []


def test_the_gateway_offers_groups_practice_areas_each_in_english_and_french() -> None:
    offered = GatewaySettings().practice_areas
    assert offered == GroupsSettings().practice_areas
    french = load_translations()["fr"]
    for code, words in practice_areas.options(offered):
        assert words == practice_areas.LABELS[code]
        assert french.gettext(words) != words or words == "Justice"
    assert dict(practice_areas.options(offered))["housing_and_poverty"] == "Housing and poverty"
    assert french.gettext("Housing and poverty") == "Logement et pauvreté"
    # An area configured without words of its own still reads as words, not as a code.
    assert practice_areas.options(("disability_justice",)) == [("disability_justice", "Disability justice")]


def test_preferences_come_back_to_the_form_and_go_out_as_opt_outs() -> None:
    form = public_forms.preferences_form({"opted_out": ["reminders"], "digest": "weekly", "language": None})
    assert form == {
        "receive_feedback": "yes",
        "receive_groups": "yes",
        "receive_news": "yes",
        "digest": "weekly",
        "language": "",
    }
    checked = public_forms.read_preferences(form | {"language": "fr"})
    assert checked.body == {"opted_out": ["reminders"], "digest": "weekly", "language": "fr"}


def test_only_open_gatherings_still_to_come_are_listed_soonest_first() -> None:
    def g(name: str, starts: str, status: str = "open") -> dict[str, str]:
        return {"id": name, "status": status, "starts_at": starts, "ends_at": starts.replace("T15", "T17")}

    found = public_events.upcoming(
        [
            g("later", "2027-05-01T15:00:00+00:00"),
            g("past", "2020-01-01T15:00:00+00:00"),
            g("draft", "2027-01-01T15:00:00+00:00", "draft"),
            g("sooner", "2027-02-01T15:00:00+00:00"),
        ],
        datetime(2026, 12, 1, tzinfo=UTC),
    )
    assert [x["id"] for x in found] == ["sooner", "later"]


def test_prices_and_times_are_in_the_readers_language() -> None:
    assert public_events.money(2500, "CAD", "en") == "$25.00"
    assert public_events.money(2500, "CAD", "fr") == "25,00\xa0$"
    assert public_events.moment("2027-03-11T15:00:00+00:00", "America/Halifax", "fr").startswith(
        "jeudi 11 mars 2027"
    )
