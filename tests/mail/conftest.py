"""A real SMTP server (aiosmtpd) on 127.0.0.1, a frozen clock, deterministic Message-IDs."""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass, field

import pytest
import time_machine
from aiosmtpd.controller import Controller

from aggregator.config import Config, ScheduleConfig, SmtpConfig
from tests.mail.listings import NOW

SENDER = "Veille BTP <veille@example.fr>"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message; refuses RCPT TO for the addresses in
    ``refuse`` with the given reply (e.g. ``550 5.1.1 No such user``), and every message
    with ``refuse_data`` when set."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    refuse_data: str | None = None  # a reply refusing the message itself

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    # aiosmtpd cannot take port 0: its start-up check connects to the port it was given
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None, **kwargs) -> None:
        self.handler = Recorder()
        self.port = port or free_port()
        self.kwargs = kwargs
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **self.kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


def config_for(port: int, **smtp) -> Config:
    return Config(schedule=ScheduleConfig(timezone="Europe/Paris"),
                  smtp=SmtpConfig(**({"host": "127.0.0.1", "port": port, "sender": SENDER,
                                      "timeout": 5.0} | smtp)))


@pytest.fixture
def mail_config(smtp_server) -> Config:
    return config_for(smtp_server.port)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def message_ids(monkeypatch):
    """Message-IDs <digest.1@example.fr>, <digest.2@...>, in the order digests are built."""
    counter = itertools.count(1)
    monkeypatch.setattr("aggregator.mail.digests.new_message_id",
                        lambda domain: f"<digest.{next(counter)}@{domain}>")
