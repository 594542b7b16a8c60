"""What gunicorn serves: ``gunicorn wsgi:app`` (settings come from the environment).

This is the production start: it refuses to serve without ``SB_PUBLIC_URL``.
"""

from __future__ import annotations

import gc

from app import create_app
from workers.settings import require_public_url

app = create_app()
require_public_url(app.config)
# What start-up built (modules, the application, SQLAlchemy's mappers, the catalogues) lives as
# long as the process. Frozen, the collector no longer walks its quarter million objects in
# every full collection: a pause of about 140 ms, every 500 requests or so (bench/RESULTS.md).
gc.freeze()
