"""Certificate verification for anyone holding a code (a regulator, typed or from the QR code):
valid or revoked, the gathering, its date and hours, and no more of the holder than their name."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..domain.words import N_
from ..store.public_services import PublicServiceError
from .public_common import LinkVisit

router = APIRouter(tags=["public"])
_CODE = re.compile(r"^[A-Z0-9-]{4,40}$")


def _clean(code: str) -> str:
    return "".join(code.split()).upper()


@router.get("/verify")
async def verify_form(
    request: Request, site: LinkVisit, code: Annotated[str, Query(max_length=60)] = ""
) -> Response:
    if code and _CODE.match(_clean(code)):
        return RedirectResponse(f"/verify/{_clean(code)}", status_code=303)
    errors = [("code", N_("Enter the code printed on the certificate."))] if code else []
    return site.render(request, "verify.html", {"code": code, "errors": errors}, 422 if errors else 200)


@router.get("/verify/{code}")
async def verify(request: Request, site: LinkVisit, code: str) -> Response:
    if not _CODE.match(_clean(code)):
        return site.render(request, "verify.html", {"code": code, "missing": True, "errors": []}, 404)
    try:
        found = await site.services.read("credits", f"/verify/{_clean(code)}")
    except PublicServiceError as exc:
        if exc.status != 404:
            raise
        return site.render(request, "verify.html", {"code": code, "missing": True, "errors": []}, 404)
    return site.render(request, "verify.html", {"code": code, "certificate": found, "errors": []})


@router.get("/verify/{code}/certificate.pdf")
async def certificate_pdf(site: LinkVisit, code: str) -> Response:
    """The certificate itself (what the holder prints; a revoked one says so across the page):
    the same facts the verification page shows, so the code alone may fetch it."""
    if not _CODE.match(_clean(code)):
        return Response(status_code=404)
    try:
        found = await site.services.ask("credits", "GET", f"/certificates/{_clean(code)}.pdf")
    except PublicServiceError as exc:
        if exc.status != 404:
            raise
        return Response(status_code=404)
    return Response(found.content, media_type="application/pdf")
