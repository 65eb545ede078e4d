"""`scrapy crawl SOURCE` from the checkout, as `aggregator crawl` runs it: with a run record
and what the store knows of the source (aggregator.crawling.launch)."""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl SOURCE")
        from aggregator.crawling.launch import close_unstarted, open_crawl
        from aggregator.store.engine import get_engine

        assert self.crawler_process is not None and self.settings is not None
        engine = get_engine(self.settings.get("DATABASE_URL"))
        crawler = self._create_crawler(args[0])
        run_id, spider_arguments = open_crawl(engine, args[0], opts.spargs)
        self.crawler_process.crawl(crawler, **spider_arguments)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            close_unstarted(engine, run_id, None)
            self.exitcode = 1
