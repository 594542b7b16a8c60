"""Flask extensions, created unbound and attached to the application in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tenants.tables import PublicBase

db = SQLAlchemy(model_class=PublicBase, disable_autonaming=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
