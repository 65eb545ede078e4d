"""Scrapy settings: politeness, the listing pipelines, run records.

Every source endpoint is a setting whose default is the real service, so tests and replays
point it at 127.0.0.1 with ``-s NAME=URL``.
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
RETRY_AFTER_MAX_SECONDS = 600
RETRY_AFTER_DEFAULT_SECONDS = 5
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "aggregator.crawling.middlewares.RetryAfterMiddleware": 550,
}

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

# Source endpoints (DESIGN.md): the real services by default; tests and replays point them
# at 127.0.0.1 with -s NAME=URL.

# Tenders
BOAMP_API_URL = "https://boamp-datadila.opendatasoft.com/api/explore/v2.1"
TED_API_URL = "https://api.ted.europa.eu/v3"
# UK Contracts Finder's OCDS release-package search (links.next paging).
OCDS_API_URL = "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search"

# France Travail "Offres d'emploi v2" (its OpenAPI spec, tests/fixtures/jobs): the API base and
# the OAuth2 client-credentials token endpoint of the /partenaire realm.
FRANCE_TRAVAIL_API_URL = "https://api.francetravail.io/partenaire/offresdemploi/v2"
FRANCE_TRAVAIL_TOKEN_URL = (
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire")

# ATS job boards (spiders/greenhouse.py, lever.py, ...). Workday and Teamtailor boards are
# full site URLs, so they have no endpoint setting.
GREENHOUSE_API_URL = "https://boards-api.greenhouse.io/v1"
LEVER_API_URL = "https://api.lever.co/v0"
LEVER_EU_API_URL = "https://api.eu.lever.co/v0"  # boards written "eu:SITE"
SMARTRECRUITERS_API_URL = "https://api.smartrecruiters.com/v1"
RECRUITEE_URL_TEMPLATE = "https://{board}.recruitee.com"
WORKABLE_API_URL = "https://apply.workable.com/api/v1"
