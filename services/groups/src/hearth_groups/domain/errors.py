"""What groups' rules refuse. No HTTP here: the api maps `status` and `code` to an answer."""

from __future__ import annotations


class GroupsRefused(Exception):
    """A request the rules do not allow; `code` is stable for API clients, `field` names the
    part of the request at fault when there is one."""

    code = "refused"
    status = 409  # a conflict with the current state; 422 when the request itself is wrong

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(GroupsRefused):
    """Unknown — or not visible to the one asking, which must read the same (a hidden group's
    existence is not confirmed by a different answer)."""

    code = "not_found"
    status = 404


class Forbidden(GroupsRefused):
    code = "forbidden"
    status = 403
