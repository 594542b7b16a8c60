"""Every blueprint of the application, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from app.bureau.views import blueprint as bureau
    from app.dashboard.views import blueprint as dashboard
    from app.home.views import blueprint as home

    for blueprint in (home, bureau, dashboard):
        app.register_blueprint(blueprint)
