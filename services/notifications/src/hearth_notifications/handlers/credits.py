"""Credits: hours recorded, certificates issued (a link to the PDF and to its public check)."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from hearth_shared.contracts.catalogue import CertificateIssued, CreditsAwarded
from hearth_shared.messaging import Handler, HandlerContext, handles

from ..messages import LOCALES, compose
from ..settings import MailSettings
from ..store import people
from .common import recipient, send


def handlers(settings: MailSettings) -> Handler:
    @handles(CreditsAwarded, CertificateIssued)
    async def on_credits(ctx: HandlerContext, data: Any) -> None:
        to = recipient(data.attendee) if data.attendee is not None else None
        if to is not None:
            await people.remember(ctx.conn, [to])
        else:
            to = (await people.find(ctx.conn, [data.person_id])).get(data.person_id)
        if to is None:
            return  # nobody to write to: a self-report or an erased person
        title = data.activity_title
        if title is None or data.hours == 0:
            return  # a zero award (below the minimum) is nothing to announce
        hours = format_decimal(data.hours, locale=LOCALES[to.language])
        if isinstance(data, CreditsAwarded):
            email = compose("credits_awarded", to, title=title, hours=hours, cycle=data.cycle)
        else:
            email = compose(
                "certificate_issued",
                to,
                title=title,
                hours=hours,
                certificate_url=settings.credits_public_url + data.certificate_path,
                verification_url=settings.credits_public_url + data.verification_path,
            )
        await send(ctx, [email])

    return on_credits
