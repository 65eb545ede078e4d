"""SMTP per `[smtp]`: STARTTLS, SSL, login — and the password never shows anywhere."""

from __future__ import annotations

import datetime as dt
import email
import logging
import ssl
from email.policy import default as default_policy

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.mail.alerts import add_alert
from aggregator.mail.digests import send_due_digests
from aggregator.mail.smtp import SmtpFailure, send_message
from aggregator.store.models import AlertDelivery, AlertSent
from tests.mail.conftest import SmtpServer, config_for
from tests.mail.listings import NOW, store, tender

PASSWORD = "Sup3r-S3cret-Pa55"  # a test password


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    import ipaddress

    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"veille" \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


MESSAGE = (b"From: veille@example.fr\r\nTo: a@example.fr\r\nSubject: test\r\n"
           b"Message-ID: <t.1@example.fr>\r\n\r\nbody\r\n")


def test_starttls_with_login(certificate, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_SMTP_PASSWORD", PASSWORD)
    server = SmtpServer(tls_context=server_context(certificate), require_starttls=True,
                        authenticator=authenticator, auth_require_tls=True).start()
    try:
        config = config_for(server.port, security="starttls", user="veille")
        result = send_message(config.smtp, MESSAGE, ["a@example.fr"],
                              ssl_context=client_context(certificate))
    finally:
        server.stop()
    assert result.accepted == ["a@example.fr"] and result.refused == {}
    (received,) = server.handler.received
    assert email.message_from_bytes(received.data, policy=default_policy)["Subject"] == "test"


def test_ssl_on_connect(certificate):
    server = SmtpServer(ssl_context=server_context(certificate)).start()
    try:
        config = config_for(server.port, security="ssl")
        result = send_message(config.smtp, MESSAGE, ["a@example.fr"],
                              ssl_context=client_context(certificate))
    finally:
        server.stop()
    assert result.accepted == ["a@example.fr"]
    assert len(server.handler.received) == 1


def test_starttls_required_but_not_offered_sends_nothing_in_clear(smtp_server):
    config = config_for(smtp_server.port, security="starttls")
    with pytest.raises(SmtpFailure, match="STARTTLS") as failure:
        send_message(config.smtp, MESSAGE, ["a@example.fr"])
    assert not failure.value.permanent
    assert smtp_server.handler.received == []


def test_an_untrusted_certificate_is_refused(certificate):
    server = SmtpServer(tls_context=server_context(certificate)).start()
    try:
        config = config_for(server.port, security="starttls")
        with pytest.raises(SmtpFailure, match="CERTIFICATE_VERIFY_FAILED"):
            send_message(config.smtp, MESSAGE, ["a@example.fr"])  # system CAs only
    finally:
        server.stop()
    assert server.handler.received == []


def test_the_password_never_appears_in_logs_output_messages_or_the_store(
        engine, certificate, monkeypatch, caplog, capsys, tmp_path):
    monkeypatch.setenv("AGGREGATOR_SMTP_PASSWORD", PASSWORD)
    caplog.set_level(logging.DEBUG)
    server = SmtpServer(tls_context=server_context(certificate), require_starttls=True,
                        authenticator=authenticator, auth_require_tls=True).start()
    store(engine, tender("26-1", title=f"Électricité {PASSWORD[:4]}"))
    add_alert(engine, "BTP", "dep:13", "a@example.fr")
    context = client_context(certificate)
    try:
        config = config_for(server.port, security="starttls", user="veille")
        dry = send_due_digests(engine, config, NOW, force=True, dry_run=tmp_path)
        sent = send_due_digests(engine, config, NOW, ssl_context=context)
        # a wrong password: refused, reported — without the password we tried
        monkeypatch.setenv("AGGREGATOR_SMTP_PASSWORD", PASSWORD + "-wrong")
        store(engine, tender("26-2"))
        refused = send_due_digests(engine, config, NOW, force=True, ssl_context=context)
    finally:
        server.stop()

    assert sent.sent == 1 and refused.sent == 0
    assert "535" in str(refused)  # 535 5.7.8 Authentication credentials invalid
    with Session(engine) as session:
        stored = [d.message for d in session.scalars(select(AlertDelivery))]
        errors = [d.last_error or "" for d in session.scalars(select(AlertDelivery))]
        assert session.scalar(select(AlertSent.listing_id)) is not None
    captured = capsys.readouterr()
    places = {
        "logs": caplog.text, "stdout": captured.out, "stderr": captured.err,
        "summaries": f"{dry}\n{sent}\n{refused}", "errors": "\n".join(errors),
        "received": b"".join(r.data for r in server.handler.received).decode(),
        "outbox": b"".join(stored).decode(),
        "eml": b"".join(p.read_bytes() for p in tmp_path.glob("*.eml")).decode(),
    }
    assert places["eml"] and places["received"] and places["logs"]
    for where, text in places.items():
        assert PASSWORD not in text, f"password found in {where}"


@pytest.mark.usefixtures("default_language")
def test_a_login_without_tls_is_warned_of_in_the_readers_words(monkeypatch, caplog):
    monkeypatch.setenv("AGGREGATOR_SMTP_PASSWORD", PASSWORD)
    server = SmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        config = config_for(server.port, security="none", user="veille")
        with caplog.at_level("WARNING", logger="aggregator.mail"):
            result = send_message(config.smtp, MESSAGE, ["a@example.fr"])
    finally:
        server.stop()
    assert result.accepted == ["a@example.fr"]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("aggregator")] == [
        "connexion SMTP à 127.0.0.1 sans TLS : le mot de passe passe en clair sur le réseau"]


def test_the_server_is_named_without_a_word_to_translate():
    from aggregator.mail.smtp import describe

    assert describe(config_for(587, security="starttls", user="veille").smtp) == (
        "veille@127.0.0.1:587 (starttls)")
    assert describe(config_for(25).smtp) == "127.0.0.1:25 (none)"
