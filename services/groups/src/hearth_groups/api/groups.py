"""Groups and their rosters: list, search, detail, counts, exports, a person's groups; forming by
hand; the facilitator. A roster (and anything that would reveal one: a member filter, a count of
someone's groups, the facilitator's id) is shown only where `may_see_roster` says so."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict, JsonValue

from hearth_shared.contracts.catalogue import Bilingual, Language
from hearth_shared.contracts.text import CleanStr
from hearth_shared.messaging import begin

from ..actions import access
from ..actions import groups as actions
from ..domain.kinds import KINDS, Audience, JoinPolicy, Kind, VisibilityRefused, check_visibilities, topic_for
from ..domain.visibility import Actor, may_see_group, may_see_roster
from ..events import SERVICE, name_of
from ..store import groups
from ..store.groups import GroupRow
from .deps import ActorDep, Coordinator, Participant, PoolDep, Reader, SettingsDep
from .practice_areas import CircleTopic, OtherTopic

router = APIRouter(tags=["groups"])


class GroupOut(BaseModel):
    id: uuid.UUID
    kind: Kind
    topic: str
    name: Bilingual
    purpose: str
    language: str
    region: str | None
    time_zone: str
    rhythm: str | None
    min_size: int
    max_size: int
    join_policy: JoinPolicy
    existence_visibility: Audience
    roster_visibility: Audience
    member_count: int
    formed_size: int
    created_at: datetime
    facilitator_id: uuid.UUID | None = Field(description="Shown only to those who may see the roster")
    members: list[uuid.UUID] | None = Field(
        default=None, description="The roster: only in a group's detail, to those who may see it"
    )
    created_by: uuid.UUID | None = Field(
        default=None,
        description="The staff member who formed it, by hand or publishing a proposal (shown to staff only; "
        "null: before staff tokens)",
    )


def group_out(
    group: GroupRow, *, roster_visible: bool, members: list[uuid.UUID] | None = None, for_staff: bool = False
) -> GroupOut:
    shown = {
        field: getattr(group, field)
        for field in GroupOut.model_fields
        if field not in ("name", "members", "created_by")
    }
    return GroupOut(
        **shown
        | {
            "name": name_of(group),
            "facilitator_id": group.facilitator_id if roster_visible else None,
            "members": members if roster_visible else None,
            "created_by": group.created_by if for_staff else None,
        }
    )


async def _visible(
    pool: PoolDep, actor: Actor, *, kind: Kind | None, q: str | None, member: uuid.UUID | None
) -> list[tuple[GroupRow, bool]]:
    """The groups `actor` may know exist (with whether they may see each roster); filtered by a
    member only among rosters they may see (or their own groups)."""
    async with pool.acquire() as conn:
        found = await groups.find(conn, kind=kind, text=q)
        mine = await groups.groups_of(conn, actor.person_id)
        of_member = await groups.groups_of(conn, member) if member else set()
    shown = []
    for group in found:
        is_member = group.id in mine
        if not may_see_group(actor, group.access, is_member):
            continue
        roster = may_see_roster(actor, group.access, is_member)
        if member is not None and not (group.id in of_member and (roster or member == actor.person_id)):
            continue
        shown.append((group, roster))
    return shown


@router.get("/groups")
async def list_groups(
    _: Reader,
    actor: ActorDep,
    pool: PoolDep,
    kind: Kind | None = None,
    q: Annotated[CleanStr | None, Query(max_length=200)] = None,
    member: uuid.UUID | None = None,
) -> list[GroupOut]:
    """The groups you may see; `q` searches names and purposes; `member` lists a person's groups
    among those whose roster you may see."""
    shown = await _visible(pool, actor, kind=kind, q=q, member=member)
    return [group_out(g, roster_visible=roster, for_staff=actor.is_staff) for g, roster in shown]


@router.get("/groups/counts")
async def count_groups(
    _: Reader, actor: ActorDep, pool: PoolDep, kind: Kind | None = None, member: uuid.UUID | None = None
) -> dict[str, int]:
    """How many groups of each kind you may see (of a person's, among rosters you may see)."""
    shown = await _visible(pool, actor, kind=kind, q=None, member=member)
    return dict(Counter(g.kind.value for g, _ in shown))


@router.get("/groups/members.csv")
async def export_rosters(_: Reader, actor: ActorDep, pool: PoolDep, kind: Kind | None = None) -> Response:
    """Every roster you may see, one row per member (group_id, group, person_id)."""
    shown = await _visible(pool, actor, kind=kind, q=None, member=None)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group_id", "group", "person_id"])
    async with pool.acquire() as conn:
        for group, roster in shown:
            if roster:
                for person_id in await groups.member_ids(conn, group.id):
                    writer.writerow([group.id, group.name_en, person_id])
    return Response(out.getvalue(), media_type="text/csv")


@router.get("/groups/{group_id}")
async def group_detail(_: Reader, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> GroupOut:
    async with pool.acquire() as conn:
        view = await access.seen(conn, group_id, actor)
        members = await groups.member_ids(conn, group_id) if view.roster else None
    return group_out(view.group, roster_visible=view.roster, members=members, for_staff=actor.is_staff)


@router.get("/groups/{group_id}/members")
async def group_roster(_: Reader, group_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> list[uuid.UUID]:
    async with pool.acquire() as conn:
        access.require_roster(await access.seen(conn, group_id, actor))
        return await groups.member_ids(conn, group_id)


@router.get("/people/{person_id}/groups")
async def groups_of_person(_: Reader, person_id: uuid.UUID, actor: ActorDep, pool: PoolDep) -> list[GroupOut]:
    """A person's groups: all of them to the person and staff, to others only those whose roster
    they may see anyway."""
    shown = await _visible(pool, actor, kind=None, q=None, member=person_id)
    return [group_out(g, roster_visible=roster, for_staff=actor.is_staff) for g, roster in shown]


def _visibility_rule() -> JsonDict:
    """`check_visibilities` as JSON Schema, kind by kind: for each existence visibility sent (or
    left out: the kind's), the roster visibilities allowed with it (left out: the kind's)."""

    def allowed(kind: Kind, existence: Audience | None, roster: Audience | None) -> bool:
        rules = KINDS[kind]
        try:
            check_visibilities(rules, existence or rules.existence, roster or rules.roster)
        except VisibilityRefused:
            return False
        return True

    rules: list[JsonValue] = []
    for kind in Kind:
        branches: list[JsonValue] = []
        for existence in (None, *Audience):
            rosters = [r for r in (None, *Audience) if allowed(kind, existence, r)]
            if not rosters:
                continue
            branch: JsonDict = {
                "properties": {
                    "existence_visibility": {"enum": [existence and existence.value]},
                    "roster_visibility": {"enum": [r and r.value for r in rosters]},
                },
                "required": [
                    name
                    for name, given in (
                        ("existence_visibility", existence),
                        ("roster_visibility", None not in rosters),
                    )
                    if given
                ],
            }
            branches.append(branch)
        rules.append({"if": {"properties": {"kind": {"const": kind.value}}}, "then": {"anyOf": branches}})
    return {"allOf": rules}


class _GroupIn(BaseModel):
    # A roster no wider than the group, nor than its kind allows: stated in the document.
    model_config = ConfigDict(json_schema_extra=_visibility_rule())

    language: Language
    name: Bilingual | None = None
    purpose: CleanStr = Field(default="", max_length=2000)
    region: CleanStr | None = Field(default=None, max_length=100)
    time_zone: CleanStr | None = Field(default=None, max_length=64, examples=["America/Halifax"])
    rhythm: CleanStr | None = Field(default=None, max_length=200, examples=["monthly, first Tuesday"])
    join_policy: JoinPolicy | None = None
    existence_visibility: Audience | None = None
    roster_visibility: Audience | None = None
    facilitator_id: uuid.UUID | None = None
    member_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    from_gathering_id: uuid.UUID | None = Field(
        default=None,
        description="Instead of member_ids: those who expressed this interest in that gathering's feedback",
    )


class CircleGroupIn(CircleTopic, _GroupIn):
    pass


class OtherGroupIn(OtherTopic, _GroupIn):
    pass


GroupIn = Annotated[CircleGroupIn | OtherGroupIn, Body(discriminator="kind")]


@router.post("/groups", status_code=status.HTTP_201_CREATED)
async def form_group(
    _: Coordinator, body: GroupIn, actor: ActorDep, pool: PoolDep, settings: SettingsDep
) -> GroupOut:
    """Staff form a group by hand (defaults from its kind); `created_by` names them."""
    spec = actions.GroupSpec(
        kind=body.kind,
        topic=topic_for(body.kind, body.practice_area, settings.practice_areas),
        language=body.language,
        time_zone=body.time_zone or settings.default_time_zone,
        name_en=body.name.en if body.name else None,
        name_fr=body.name.fr if body.name else None,
        purpose=body.purpose,
        region=body.region,
        rhythm=body.rhythm,
        join_policy=body.join_policy,
        existence_visibility=body.existence_visibility,
        roster_visibility=body.roster_visibility,
        facilitator_id=body.facilitator_id,
    )
    async with begin(pool, SERVICE) as work:
        if body.from_gathering_id is not None:
            group = await actions.form_from_gathering(work, spec, body.from_gathering_id, actor)
        else:
            group = await actions.form_by_hand(work, spec, sorted(set(body.member_ids)), actor)
        formed = await groups.get(work.conn, group.id)
        members = await groups.member_ids(work.conn, group.id)
    assert formed is not None
    return group_out(formed, roster_visible=True, members=members, for_staff=True)


class FacilitatorIn(BaseModel):
    person_id: uuid.UUID | None


@router.put("/groups/{group_id}/facilitator", status_code=status.HTTP_204_NO_CONTENT)
async def change_facilitator(
    _: Participant, group_id: uuid.UUID, body: FacilitatorIn, actor: ActorDep, pool: PoolDep
) -> None:
    async with begin(pool, SERVICE) as work:
        await actions.change_facilitator(work, group_id, body.person_id, actor)
