"""A small real SMTP server for tests: STARTTLS with a throwaway certificate, AUTH PLAIN, DATA.

Just enough of RFC 5321/3207/4954 for ``smtplib`` to run its whole conversation against it, so
the application's SMTP path is exercised over a real socket and a real TLS handshake.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    """What the server saw of one conversation."""

    login: tuple[str, str] | None = None
    logged_in_over_tls: bool = False
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    data: bytes = b""


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` that can also serve as its own trust anchor."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Conversation(socketserver.StreamRequestHandler):
    server: SmtpServer

    def handle(self) -> None:
        self.tls = False
        # Recorded up front and filled before each reply, so it is complete once the client
        # has its last answer.
        self.received = Received()
        self.server.conversations.append(self.received)
        self._reply("220 localhost ESMTP test server")
        while line := self.rfile.readline():
            if not self._answer(line.decode().rstrip("\r\n")):
                break

    def _answer(self, line: str) -> bool:
        verb, _, argument = line.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self._reply("250-localhost", "250 AUTH PLAIN" if self.tls else "250 STARTTLS")
        elif verb == "STARTTLS":
            self._reply("220 go ahead")
            self._start_tls()
        elif verb == "AUTH":
            _, _, initial = argument.partition(" ")
            _, user, password = base64.b64decode(initial).decode().split("\0")
            self.received.login = (user, password)
            self.received.logged_in_over_tls = self.tls
            self._reply("235 accepted")
        elif verb == "MAIL":
            self.received.sender = argument
            self._reply("250 ok")
        elif verb == "RCPT":
            self.received.recipients.append(argument)
            self._reply("250 ok")
        elif verb == "DATA":
            self._reply("354 end with a dot")
            self.received.data = self._read_data()
            self._reply("250 queued")
        elif verb == "QUIT":
            self._reply("221 bye")
            return False
        else:
            self._reply("250 ok")
        return True

    def _start_tls(self) -> None:
        self.connection = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb")
        self.wfile = self.connection.makefile("wb")
        self.tls = True

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line)
        return b"".join(lines)

    def _reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())
        self.wfile.flush()


class SmtpServer(socketserver.ThreadingTCPServer):
    """Listens on 127.0.0.1 on a free port; ``conversations`` fills as clients finish."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, cert_path: Path, key_path: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Conversation)
        self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.tls.load_cert_chain(cert_path, key_path)
        self.conversations: list[Received] = []
        self.failed_handshakes = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that refuses our certificate is expected here: record it, print nothing."""
        self.failed_handshakes += 1

    @property
    def port(self) -> int:
        return int(self.server_address[1])
