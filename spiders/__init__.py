"""The spiders: one module per source, named after the spider (SPIDER_MODULES = ["spiders"]).

Base classes per access pattern live in ``spiders.base``; a spider mostly sets the class
attributes its base reads (``name``, ``about``, ``endpoint_setting`` and ``endpoint_default``,
``board_help``, ``board_url``, ``records_pointer``...) and maps one record. The registry
(aggregator.crawling.registry), `aggregator sources`, the tests and the replay builder read
those attributes: a new source is its spider module and its recorded fixture.
"""
