"""Hand a stored message to the SMTP server: plain, STARTTLS or SSL, per ``[smtp]``.

The message goes as the exact bytes stored in the outbox (``sendmail`` does not re-serialise
them), so a retry is the very same message. The password comes from the environment
(``AGGREGATOR_SMTP_PASSWORD``, see ``SmtpConfig.password``) and is only ever passed to
``SMTP.login``: it is not logged, not part of any message or error we produce.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr

from aggregator.config import SmtpConfig
from aggregator.i18n import N_, WrittenForms, _
from aggregator.run_notes import NETWORK_PROBLEMS, network_problem

logger = logging.getLogger(__name__)
SECURITY_CHOICES = ("none", "starttls", "ssl")
NO_PASSWORD = "[smtp] user is set but AGGREGATOR_SMTP_PASSWORD is not"
# A failure is stored as written here, in English; it is read in the reader's language
# (error_text) wherever it is shown, the usual network failures in words.
_ERRORS = WrittenForms((
    (rf"(?P<server>.+?): (?P<problem>{'|'.join(NETWORK_PROBLEMS)})",
     N_("%(server)s: %(problem)s")),
    (re.escape(NO_PASSWORD),
     N_("[smtp] user is set but AGGREGATOR_SMTP_PASSWORD is not")),
), parts={"problem": lambda problem: _(NETWORK_PROBLEMS[problem])})


class SmtpFailure(Exception):
    """Nobody received the message. ``permanent`` when the server refused the message itself
    for good (5xx after DATA): sending it again would fail the same way. Anything else — the
    server down, a timeout, a 4xx, TLS, a refused login, a configuration error — is worth
    retrying with the same message."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass
class SmtpResult:
    """Who the server accepted the message for, and who it refused (address → reply)."""

    accepted: list[str] = field(default_factory=list)
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)

    def refused_permanently(self) -> dict[str, str]:
        return {a: _reply(c, m) for a, (c, m) in self.refused.items() if 500 <= c < 600}

    def refused_temporarily(self) -> dict[str, str]:
        return {a: _reply(c, m) for a, (c, m) in self.refused.items() if not 500 <= c < 600}


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(text.split())}"


def envelope_sender(config: SmtpConfig) -> str:
    """The bare address of ``from`` (which may be ``Name <address>``)."""
    return parseaddr(config.sender)[1] or config.sender


def _network_problem(exc: Exception) -> str:
    """What went wrong, as run_notes.NETWORK_PROBLEMS names the usual network failures (the
    exception's own words otherwise)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connection lost"
    return network_problem(exc) or f"{type(exc).__name__}: {exc}"


def error_text(error: str) -> str:
    """A stored sending failure (SmtpFailure's text) in the reader's language, as far as its
    form is known."""
    return _ERRORS.say(error)


def describe(config: SmtpConfig) -> str:
    """Where mail goes, for messages and logs (never the password)."""
    # user@host: no word to translate in a line stored, then shown in either language
    user = f"{config.user}@" if config.user else ""
    return f"{user}{config.host}:{config.port} ({config.security})"


def _connect(config: SmtpConfig, context: ssl.SSLContext) -> smtplib.SMTP:
    if config.security not in SECURITY_CHOICES:
        raise SmtpFailure(f"[smtp] security must be one of {', '.join(SECURITY_CHOICES)}, "
                          f"not {config.security!r}")
    if config.security == "ssl":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                context=context)
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def _handshake(smtp: smtplib.SMTP, config: SmtpConfig, context: ssl.SSLContext) -> None:
    smtp.ehlo()
    if config.security == "starttls":
        smtp.starttls(context=context)
        smtp.ehlo()
    if config.user:
        password = config.password
        if password is None:
            raise SmtpFailure(NO_PASSWORD)
        if config.security == "none":
            # the reader's words, log file too: `alerts run` shows it with no log set up
            logger.warning(_("SMTP login to %(host)s without TLS: the password crosses the "
                             "network in clear") % {"host": config.host})
        smtp.login(config.user, password)


def send_message(config: SmtpConfig, message: bytes, recipients: list[str], *,
                 ssl_context: ssl.SSLContext | None = None) -> SmtpResult:
    """Send ``message`` to ``recipients`` in one SMTP transaction.

    Returns who accepted it and who was refused (some recipients refused is not an error:
    the others have it). Raises SmtpFailure when nobody got it.
    """
    context = ssl_context or ssl.create_default_context()
    smtp: smtplib.SMTP | None = None
    try:
        smtp = _connect(config, context)
        _handshake(smtp, config, context)
        refused = smtp.sendmail(envelope_sender(config), recipients, message)
    except smtplib.SMTPRecipientsRefused as exc:
        return SmtpResult(accepted=[], refused={a: (c, _text(m))
                                                for a, (c, m) in exc.recipients.items()})
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, auth failed
        # Only a 5xx reply to the message itself condemns it; a refused login or sender is
        # the configuration's fault, and the same message goes once it is fixed.
        permanent = isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600
        raise SmtpFailure(f"{describe(config)}: {_reply(exc.smtp_code, exc.smtp_error)}",
                          permanent=permanent) from None
    except (smtplib.SMTPException, OSError) as exc:  # refused connection, timeout, TLS, ...
        raise SmtpFailure(f"{describe(config)}: {_network_problem(exc)}") from None
    finally:
        if smtp is not None:
            _close(smtp)
    accepted = [r for r in recipients if r not in refused]
    logger.info("message accepted by %s for %d recipient(s), %d refused", describe(config),
                len(accepted), len(refused))
    return SmtpResult(accepted=accepted,
                      refused={a: (c, _text(m)) for a, (c, m) in refused.items()})


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message


def _close(smtp: smtplib.SMTP) -> None:
    # The message is already accepted: a failing QUIT must not turn that into a failure
    # (which would resend it).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
