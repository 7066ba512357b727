"""Reading a posted form as plain strings (uploads aside), for the rules in `domain` to check."""

from __future__ import annotations

from fastapi import Request


async def form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str) and key != "csrf_token"}
