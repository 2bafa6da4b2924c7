"""The back office at /admin/: one module per area, one blueprint, every route behind a role check."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_login import current_user, login_required

from models.people import Role

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

F = TypeVar("F", bound=Callable[..., Any])

# Who may look, and who may change. Auditors (and the enterprise head) read everything, change nothing.
READERS = (Role.safety_officer, Role.storekeeper, Role.supervisor, Role.auditor)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every back-office page needs a signed-in staff member; routes narrow it down by role."""


def role_required(*roles: Role) -> Callable[[F], F]:
    """Only staff with one of ``roles`` (or admins) get through; others get a 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


from . import claims, counter, dashboard, hazards, ledger, places, rules, settings  # noqa: E402  (the views register themselves on bp)

__all__ = ["bp", "claims", "counter", "dashboard", "hazards", "ledger", "places", "role_required", "rules", "settings"]
