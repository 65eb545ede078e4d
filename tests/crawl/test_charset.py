"""A page that says it is UTF-8 but is written in Windows-1252 is read as Windows-1252
(aggregator.crawling.middlewares.MisdeclaredCharsetMiddleware); the page is the recorded
Neura Robotics posting (tests/fixtures/jobs) with a French title, in each encoding."""

from __future__ import annotations

import json

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from aggregator.crawling.middlewares import MisdeclaredCharsetMiddleware
from tests.sites.jobposting import french_page

UTF8 = {"Content-Type": "text/html; charset=utf-8"}
TITLE = "Développeur·se d'applications — Île-de-France, 45 k€"


def read(body: bytes, response_class: type[TextResponse] = HtmlResponse,
         headers: dict[str, str] = UTF8) -> TextResponse:
    response = response_class("https://jobs.example.fr/offre/1", body=body, headers=headers)
    return MisdeclaredCharsetMiddleware().process_response(Request(response.url), response)


def test_a_windows_1252_page_said_to_be_utf8_is_read_as_written():
    response = read(french_page(TITLE, "cp1252"))
    assert TITLE in response.text and "\ufffd" not in response.text


@pytest.mark.parametrize("body", [
    french_page(TITLE, "utf-8"),
    french_page(TITLE, "utf-8") + b"<!-- \xe9 -->",  # a stray byte in a UTF-8 page: UTF-8
    french_page("Developer", "utf-8"),  # nothing but ASCII
])
def test_a_utf8_page_stays_utf8(body):
    assert read(body).encoding == "utf-8"


def test_json_is_left_as_declared():
    body = json.dumps({"title": TITLE}, ensure_ascii=False).encode("cp1252")
    response = read(body, TextResponse, {"Content-Type": "application/json; charset=utf-8"})
    assert response.encoding == "utf-8"


def test_bytes_windows_1252_leaves_undefined_are_not_guessed():
    assert read(french_page(TITLE, "cp1252") + b"\x81").encoding == "utf-8"
