"""What a worker's console says when Redis or the store is away for a moment: a line in the
reader's words (the log file keeps the English line and its traceback), never a traceback."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.test import get_crawler

from aggregator.crawling.distributed import Keys, connect
from aggregator.crawling.distributed.queue import LeasedQueue
from aggregator.crawling.distributed.scheduler import DistributedScheduler
from aggregator.crawling.distributed.worker import DistributedRun
from aggregator.scheduling.logs import ConsoleFormatter

AWAY = "redis://127.0.0.1:1/0"  # nothing listens there: connection refused


class BoampSpider(Spider):
    name = "boamp"


def console_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = ConsoleFormatter()
    return [formatter.format(record).split(" ", 2)[2] for record in caplog.records
            if record.levelno >= logging.WARNING]


@pytest.fixture
def crawler(tmp_path, default_language):
    crawler = get_crawler(BoampSpider, {"DATABASE_URL": f"sqlite:///{tmp_path}/s.db",
                                        "REDIS_URL": AWAY, "DISTRIBUTED_ROLE": "worker"})
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    return crawler


def test_a_worker_that_loses_redis_says_so_in_words_and_waits(crawler, caplog):
    run = DistributedRun(crawler)
    run.generation = 7
    with pytest.raises(DontCloseSpider):  # not closed: it tries again when idle
        run.spider_idle(crawler.spider)
    assert console_lines(caplog) == [
        "boamp : la collecte partagée n'a pu être mise à jour (127.0.0.1:1 : connexion "
        "refusée) ; nouvel essai dans un instant"]
    (record,) = caplog.records
    assert record.getMessage() == "boamp: distributed bookkeeping failed" and record.exc_info


def test_leases_that_cannot_be_extended_are_said_in_words(crawler, caplog):
    scheduler = DistributedScheduler(connect(AWAY), crawler)
    scheduler.spider = crawler.spider
    scheduler.queue = LeasedQueue(scheduler.server, crawler.spider, "q", inflight_key="q:i")
    scheduler.keep_leases()
    assert console_lines(caplog) == [
        "boamp : la réservation de ses requêtes par ce worker n'a pu être prolongée "
        "(127.0.0.1:1 : connexion refusée) ; elle dure assez pour réessayer"]


def test_requests_of_a_worker_gone_silent_are_requeued_and_said_in_words(
        crawler, caplog, redis_url):
    server = connect(redis_url)
    keys = Keys("boamp")
    server.zadd(keys.inflight(7), {b"a": 0, b"b": 0})  # leases long run out
    scheduler = DistributedScheduler(server, crawler)
    scheduler.spider = crawler.spider
    scheduler.queue = LeasedQueue(server, crawler.spider, keys.requests(7),
                                  inflight_key=keys.inflight(7))
    scheduler.keep_leases()
    assert server.zcard(keys.requests(7)) == 2 and server.zcard(keys.inflight(7)) == 0
    assert console_lines(caplog) == [
        "boamp : 2 requêtes d'un worker qui ne répond plus sont remises dans la file"]
