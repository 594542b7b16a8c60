"""The books with their receipts as one zip: bean-check accepts it unpacked, receipts included."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

from tenants.roles import Role
from tests.ops.books import RECEIPT, RECEIPT_PATH, fill_books, folder_of


def test_the_zip_holds_the_books_and_their_receipts_and_bean_check_accepts_it_unpacked(
    app, engine, client, make_org, make_user, login_as, tmp_path
):
    org = make_org(name="Stichting De Linde")
    fill_books(app, engine, org.id)
    login_as(client, make_user(org=org, role=Role.VIEWER))

    response = client.get(f"/o/{org.slug}/export.zip")

    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"filename={org.slug}.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert sorted(archive.namelist()) == [
            f"{org.slug}/documents/{RECEIPT_PATH}",
            f"{org.slug}/{org.slug}.beancount",
        ]
        archive.extractall(tmp_path)
    book = tmp_path / org.slug / f"{org.slug}.beancount"
    text = book.read_text()
    assert text.startswith('option "title" "Stichting De Linde"\n')
    assert f'document Expenses:Rent "documents/{RECEIPT_PATH}"' in text
    assert (tmp_path / org.slug / "documents" / RECEIPT_PATH).read_bytes() == RECEIPT
    checked = subprocess.run(["bean-check", str(book)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    (tmp_path / org.slug / "documents" / RECEIPT_PATH).unlink()  # bean-check does look
    assert subprocess.run(["bean-check", str(book)], capture_output=True).returncode != 0


def test_a_receipt_whose_file_is_missing_stays_a_custom_entry_and_the_zip_still_checks(
    app, engine, client, make_org, make_user, login_as, tmp_path
):
    org = make_org()
    fill_books(app, engine, org.id)
    shutil.rmtree(folder_of(app, org.id))
    login_as(client, make_user(org=org, role=Role.VIEWER))

    response = client.get(f"/o/{org.slug}/export.zip")

    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert archive.namelist() == [f"{org.slug}/{org.slug}.beancount"]
        archive.extractall(tmp_path)
    book = tmp_path / org.slug / f"{org.slug}.beancount"
    assert f'custom "document" Expenses:Rent "{RECEIPT_PATH}"' in book.read_text()
    assert subprocess.run(["bean-check", str(book)], capture_output=True).returncode == 0


def test_only_members_download_the_zip(client, make_org, make_user, login_as):
    org = make_org()
    login_as(client, make_user(org=make_org()))
    assert client.get(f"/o/{org.slug}/export.zip").status_code == 404
