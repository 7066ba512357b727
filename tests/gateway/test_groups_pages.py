"""The groups pages on the real gateway and groups service: the interest pool of a kind, a proposal
asked for, reviewed and published by a coordinator, the groups then listed (and audited); a viewer
reads but may not propose."""

from __future__ import annotations

import re
import secrets
import uuid

from .conftest import Stack, add_staff, signed_in_as
from .staff import StaffBrowser, csrf_of


async def test_a_coordinator_proposes_groups_from_the_pool_and_publishes_them(
    stack: Stack, admin: StaffBrowser
) -> None:
    async with stack.groups.client() as groups:
        for _ in range(6):
            body = {
                "person_id": str(uuid.uuid4()),
                "kind": "peer_support",
                "language": "fr",
                "region": "Nova Scotia",
            }
            made = await groups.post("/interests", json=body)
            assert made.status_code == 201, made.text
    password = secrets.token_urlsafe(16)
    email = f"coordinator.groups.{uuid.uuid4().hex[:6]}@example.org"
    await add_staff(admin, email, "coordinator", password)
    coordinator = StaffBrowser(admin.client.__class__(base_url=stack.gateway.url, timeout=30))
    async with coordinator.client:
        assert (await coordinator.sign_in(email, password)).status_code == 303
        await coordinator.refresh_csrf()
        pool = await coordinator.client.get("/groups", params={"kind": "peer_support"})
        proposed = await coordinator.post("/groups/proposals", {"kind": "peer_support"})
        review = await coordinator.client.get(proposed.headers["location"])
        form = re.search(r'action="(/groups/proposals/[^"]+/publish)"', review.text)
        assert form, review.text
        published = await coordinator.client.post(form.group(1), data={"csrf_token": csrf_of(review.text)})
        after = await coordinator.client.get(published.headers["location"])
    audit = await admin.client.get("/audit", params={"action": "groups_published"})

    assert pool.status_code == 200
    assert "6 people waiting for a group" in pool.text
    assert proposed.status_code == 303
    assert review.status_code == 200
    assert 'id="proposed"' in review.text
    assert published.status_code == 303
    assert "groups published" in after.text
    assert 'id="groups"' in after.text
    assert "groups_published" in audit.text


async def test_a_viewer_reads_the_groups_but_may_not_propose(stack: Stack, admin: StaffBrowser) -> None:
    async with signed_in_as(stack, admin, "viewer") as viewer:
        page = await viewer.client.get("/groups")
        refused = await viewer.post("/groups/proposals", {"kind": "peer_support"})
    assert page.status_code == 200
    assert "Propose groups" not in page.text
    assert refused.status_code == 403
