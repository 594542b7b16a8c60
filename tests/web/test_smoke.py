"""The first pages per role."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from tenants.people import add_member
from tenants.roles import Role

ROOT = Path(__file__).resolve().parents[2]


def test_a_member_lands_on_the_dashboard_of_their_only_organisation(
    client, make_org, make_user, login_as
):
    org = make_org()
    user = make_user(org=org)
    login_as(client, user)
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert org.name in response.get_data(as_text=True)


def test_a_stranger_gets_404_on_an_organisation(client, make_org, make_user, login_as):
    org = make_org()
    login_as(client, make_user())
    assert client.get(f"/o/{org.slug}/").status_code == 404


def test_a_member_of_several_organisations_lands_on_the_list_of_them(
    client, make_org, make_user, login_as, engine
):
    first, second = make_org(), make_org()
    user = make_user(org=first)
    with Session(engine) as session:
        add_member(session, user.id, second.id, Role.VIEWER)
        session.commit()
    login_as(client, user)
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert first.name in page and second.name in page


def test_bureau_staff_who_are_also_members_land_on_the_bureau_organisations_list(
    client, make_org, make_user, login_as
):
    org = make_org()
    login_as(client, make_user(org=org, is_bureau_admin=True))
    response = client.get("/")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/bureau/organisations"
    bureau_page = client.get("/bureau/organisations").get_data(as_text=True)
    assert 'data-testid="organisations"' in bureau_page
    switcher = bureau_page.split('data-testid="org-switcher"', 1)[1].split("</details>", 1)[0]
    assert f"/o/{org.slug}/" in switcher
    mine = client.get("/my-organisations")
    assert mine.status_code == 200
    assert f"/o/{org.slug}/" in mine.get_data(as_text=True)


def test_bureau_staff_without_memberships_land_on_the_bureau_organisations_list(
    client, make_user, login_as
):
    login_as(client, make_user(is_bureau_admin=True))
    response = client.get("/")
    assert urlsplit(response.headers["Location"]).path == "/bureau/organisations"
    assert client.get("/my-organisations").status_code == 200


def test_the_application_starts_without_loading_weasyprint(tmp_path):
    """WeasyPrint needs Pango; only making a PDF may need it, not starting the application."""
    program = (
        "import sys\n"
        "from app import create_app\n"
        "import workers.billing_jobs\n"
        "create_app({'SQLALCHEMY_DATABASE_URI': 'postgresql+psycopg://x@127.0.0.1:1/none',"
        " 'REDIS_URL': 'redis://127.0.0.1:1/0'})\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'weasyprint'))\n"
    )
    environment = {**os.environ, "SB_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "smoke"}
    finished = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"
