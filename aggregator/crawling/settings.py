"""Scrapy settings: politeness, the listing pipelines, run records.

Every source endpoint is a setting whose default is the real service, so tests and replays
point it at 127.0.0.1 with ``-s NAME=URL``. The spiders declare them (``endpoint_setting``,
``endpoint_default``: spiders.base.listing_spider.Endpoint) and set them when a crawl starts,
above them the source's ``[sources.NAME] api_url`` (and co.) from aggregator.toml; `aggregator
sources list` shows them all. They are not listed here.
"""

from aggregator import __version__

BOT_NAME = "aggregator"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
ADDONS: dict[str, int] = {}

# Politeness: robots.txt, one request at a time per domain, adaptive delays, honest identity.
ROBOTSTXT_OBEY = True
USER_AGENT = (f"aggregator/{__version__} (+https://github.com/aggregator-project/aggregator;"
              " local-first job and tender aggregator)")
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
DOWNLOAD_DELAY_JITTER = 0.5
DOWNLOAD_TIMEOUT = 60
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries: 429 and 503 wait for Retry-After (aggregator.crawling.middlewares.RetryAfterMiddleware).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# the most one request waits over its retries: a server asking for more is not waited for
RETRY_AFTER_MAX_SECONDS = 300
RETRY_AFTER_DEFAULT_SECONDS = 5
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "aggregator.crawling.middlewares.RetryAfterMiddleware": 550,
    "aggregator.crawling.offline.OfflineMiddleware": 560,
    "aggregator.crawling.middlewares.MisdeclaredCharsetMiddleware": 580,
}
# No network: the crawl stops as `offline` once this many requests (retries included) failed
# to reach their host before any response came (0: never).
OFFLINE_AFTER = 2

ITEM_PIPELINES = {
    "aggregator.crawling.pipelines.ValidatePipeline": 100,
    "aggregator.crawling.pipelines.NormalizePipeline": 200,
    "aggregator.crawling.pipelines.StorePipeline": 300,
}
STORE_BATCH_SIZE = 500
# The store; empty means AGGREGATOR_DATABASE_URL, else the config file, else SQLite in db/.
DATABASE_URL = ""

EXTENSIONS = {
    "aggregator.crawling.extensions.CrawlRunRecorder": 100,
    "aggregator.crawling.extensions.ProgressReporter": 200,
}
# `scrapy crawl` opens the crawl's run record and hands the spider the store's state, as
# `aggregator crawl` does (aggregator.crawling.commands.crawl).
COMMANDS_MODULE = "aggregator.crawling.commands"
# Set by `aggregator crawl` for its child processes: JSON progress lines on stdout.
AGGREGATOR_PROGRESS = False
AGGREGATOR_PROGRESS_INTERVAL = 0.5

FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy 2.19 would start a server that executes Python sent to it, and a telnet console.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
