"""Only bureau staff (``bureau_admin``) reach the bureau pages."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from app.extensions import login_manager


def require_bureau_admin() -> Any:
    """A ``before_request`` hook for bureau blueprints."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_bureau_admin:
        abort(403)
    return None
