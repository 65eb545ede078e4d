"""Scrapy commands of the project (the COMMANDS_MODULE setting): `scrapy crawl` records its run."""
