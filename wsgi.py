"""What gunicorn serves: ``gunicorn wsgi:app`` (settings come from the environment).

This is the production start: it refuses to serve without ``SB_PUBLIC_URL``.
"""

from __future__ import annotations

from app import create_app
from workers.settings import require_public_url

app = create_app()
require_public_url(app.config)
