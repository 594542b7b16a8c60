"""Mail leaves over SMTP with STARTTLS when SMTP_URL is set, and is kept on disk when not."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from app.mail import Mail, send
from tests.web.smtp_server import SmtpServer, make_certificate


@pytest.fixture
def smtp_server(tmp_path, monkeypatch):
    cert_path, key_path = make_certificate(tmp_path)
    # OpenSSL reads SSL_CERT_FILE for its default trust store: trust only our throwaway CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    server = SmtpServer(cert_path, key_path)
    server.thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_with_smtp_url_the_mail_is_sent_over_starttls_with_the_login(app, smtp_server, monkeypatch):
    url = f"smtp://bureau%40example.org:geheim@localhost:{smtp_server.port}?from=bureau@example.org"
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    mail_folder = Path(app.instance_path) / "mail"
    kept_before = set(mail_folder.glob("*")) if mail_folder.exists() else set()

    with app.test_request_context():
        send(Mail(to="eva@example.org", subject="Uitnodiging", body="Hallo Eva"))

    [conversation] = smtp_server.conversations
    assert conversation.login == ("bureau@example.org", "geheim")
    assert conversation.logged_in_over_tls
    assert conversation.sender == "FROM:<bureau@example.org>"
    assert conversation.recipients == ["TO:<eva@example.org>"]
    letter = message_from_bytes(conversation.data, policy=policy.default)
    assert letter["Subject"] == "Uitnodiging"
    assert letter.get_content().strip() == "Hallo Eva"
    kept_after = set(mail_folder.glob("*")) if mail_folder.exists() else set()
    assert kept_after == kept_before


def test_a_server_whose_certificate_is_not_trusted_gets_no_mail(app, smtp_server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://u:p@localhost:{smtp_server.port}")
    with app.test_request_context(), pytest.raises(OSError):
        send(Mail(to="eva@example.org", subject="Geheim", body="niet over een onveilige lijn"))
    assert [conversation.data for conversation in smtp_server.conversations] == [b""]


def test_without_smtp_url_the_mail_is_kept_in_the_instance_folder(app):
    assert not app.config.get("SMTP_URL")
    with app.test_request_context():
        send(Mail(to="kept@example.org", subject="Bewaard", body="Hallo"))
    [kept] = sorted((Path(app.instance_path) / "mail").glob("*-kept@example.org.eml"))
    letter = message_from_bytes(kept.read_bytes(), policy=policy.default)
    assert letter["Subject"] == "Bewaard"
