"""Crawling: the runner of child crawl processes and everything Scrapy loads inside them.

- ``registry``: which spiders exist, their classes and endpoint settings (everyone asks here);
- ``runner``: one child process per crawl, progress, timeouts (`aggregator crawl`, the scheduler);
- ``process``: the child's entry point (``python -m aggregator.crawling.process SOURCE``);
- ``settings``, ``middlewares``, ``pipelines`` (validate → normalise → store), ``extensions``
  (the run record, progress lines): what Scrapy loads;
- ``replay``: recorded responses instead of the network; ``bundled_replay/`` is the set
  shipped for offline use;
- ``distributed/``: one crawl frontier in Redis drained by `aggregator worker` processes.
"""
