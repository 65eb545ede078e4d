"""Crawling: the runner of child crawl processes and everything Scrapy loads inside them.

From the top down (a module imports only from the layers below its own; no cycles):

- ``runner``: one child process per crawl, progress, timeouts, stops (`aggregator crawl`, the
  scheduler); ``process``: the child's entry point (``python -m aggregator.crawling.process
  SOURCE``); ``commands``: `scrapy crawl`, doing what the child does;
- ``distributed/``: one crawl frontier in Redis drained by `aggregator worker` processes;
- ``launch``: what starting a crawler takes — its settings, its run record, and what the store
  tells its spider, as spider arguments; ``extensions``: the run record completed at close,
  progress lines;
- ``settings``, ``middlewares``, ``pipelines`` (validate → normalise → store): what Scrapy
  loads; ``outcome``: the one judge of how a crawl ended; ``registry``: which spiders exist,
  their classes and endpoint settings (everyone asks here); ``options``: ``-a``/``-s`` pairs;
  ``replay``: recorded responses instead of the network (``bundled_replay/`` is the set
  shipped for offline use).
"""
