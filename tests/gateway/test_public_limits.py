"""The public site's rate limits, each reached on a gateway with tiny ones: registrations per
address, feedback per person and per address, signed-link pages per address. Each refusal is the
429 page, in English and in French, with `Retry-After`. The counters are per address, so each test
speaks from a loopback address of its own (127.0.0.0/8 is all this machine's)."""

from __future__ import annotations

import uuid

import httpx

from hearth_shared.signed_links import Purpose

from .public_site import PublicSite, public_site_fixture

public = public_site_fixture(
    HEARTH_PUBLIC_REGISTER_PER_ADDRESS="2/hour",
    HEARTH_PUBLIC_REGISTER_PER_EMAIL="100/hour",
    HEARTH_PUBLIC_FEEDBACK_PER_ADDRESS="2/hour",
    HEARTH_PUBLIC_FEEDBACK_PER_PERSON="2/hour",
    HEARTH_PUBLIC_LINKS_PER_ADDRESS="6/hour",
)
_LANGUAGES = {"en": "en-CA,en;q=0.9", "fr": "fr-CA,fr;q=0.9"}


def _from(site: PublicSite, address: str, language: str = "en") -> httpx.AsyncClient:
    """A visitor at `address` whose browser asks for `language`."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return site.client(transport=transport, headers={"accept-language": _LANGUAGES[language]})


def _assert_too_many(english: httpx.Response, french: httpx.Response) -> None:
    for page, words in ((english, "Too many requests"), (french, "Trop de demandes")):
        assert page.status_code == 429, page.text
        assert page.headers["retry-after"] == "3600"
        assert f"<h1>{words}</h1>" in page.text


def _feedback_link(site: PublicSite, person: str | None = None) -> str:
    token = site.links.token(
        Purpose.FEEDBACK, gathering=str(uuid.uuid4()), person=person or str(uuid.uuid4())
    )
    return f"/feedback/{token}"


async def test_registrations_from_one_address_are_limited(public: PublicSite) -> None:
    async def register(address: str, language: str = "en") -> httpx.Response:
        form = {"email": f"r.{uuid.uuid4().hex[:8]}@example.org"}  # a new email each time
        async with _from(public, address, language) as client:
            return await client.post(f"/events/{uuid.uuid4()}/register", data=form)

    allowed = [(await register("127.0.0.2")).status_code for _ in range(2)]
    english, french = await register("127.0.0.2"), await register("127.0.0.2", "fr")
    elsewhere = await register("127.0.0.3")
    assert allowed == [404, 404]  # counted, then read (no such gathering)
    _assert_too_many(english, french)
    assert elsewhere.status_code == 404


async def test_feedback_for_one_person_is_limited_from_any_address(public: PublicSite) -> None:
    person = str(uuid.uuid4())
    link = _feedback_link(public, person)

    async def send(address: str, language: str = "en") -> httpx.Response:
        async with _from(public, address, language) as client:
            return await client.post(link, data={"benefit_rating": "4"})

    allowed = [(await send(address)).status_code for address in ("127.0.0.4", "127.0.0.5")]
    english, french = await send("127.0.0.6"), await send("127.0.0.7", "fr")
    assert allowed == [404, 404]
    _assert_too_many(english, french)
    async with _from(public, "127.0.0.6") as client:
        someone_else = await client.post(_feedback_link(public), data={"benefit_rating": "4"})
    assert someone_else.status_code == 404


async def test_feedback_from_one_address_is_limited_whoever_it_is_for(public: PublicSite) -> None:
    async def send(address: str, language: str = "en") -> httpx.Response:
        async with _from(public, address, language) as client:
            return await client.post(_feedback_link(public), data={"benefit_rating": "4"})

    allowed = [(await send("127.0.0.8")).status_code for _ in range(2)]
    english, french = await send("127.0.0.8"), await send("127.0.0.8", "fr")
    elsewhere = await send("127.0.0.9")
    assert allowed == [404, 404]
    _assert_too_many(english, french)
    assert elsewhere.status_code == 404


async def test_link_and_verification_pages_from_one_address_are_limited(public: PublicSite) -> None:
    ticket_link = f"/my/{public.links.token(Purpose.REGISTRATION, ticket=str(uuid.uuid4()))}"
    async with _from(public, "127.0.0.10") as client:
        allowed = [(await client.get(ticket_link)).status_code for _ in range(3)]
        allowed += [(await client.get("/verify/NO-SUCH-CODE")).status_code for _ in range(3)]
        english = await client.get("/verify/NO-SUCH-CODE")
    async with _from(public, "127.0.0.10", "fr") as client:
        french = await client.get(ticket_link)
    async with _from(public, "127.0.0.11") as client:
        elsewhere = await client.get(ticket_link)
    assert allowed == [404] * 6
    _assert_too_many(english, french)
    assert elsewhere.status_code == 404
