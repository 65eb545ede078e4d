"""The daily refresh: triggers, the scheduler service, post-crawl steps, source health."""
