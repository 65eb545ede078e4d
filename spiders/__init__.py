"""The spiders: one module per source, named after the spider (SPIDER_MODULES = ["spiders"]).

Base classes per access pattern live in ``spiders.base``.
"""
