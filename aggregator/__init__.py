"""aggregator: a local-first aggregator of job offers and public tenders."""

__version__ = "0.1.0"
