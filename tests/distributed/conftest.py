"""Redis for the distributed tests: a database of its own, emptied before each test.

Skipped, saying so, when no Redis answers at AGGREGATOR_TEST_REDIS_URL (default
redis://127.0.0.1:6379/15); required when AGGREGATOR_REQUIRE_REDIS is set (.ci/run sets it
when the port answers).
"""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url(monkeypatch: pytest.MonkeyPatch) -> str:
    from aggregator.crawling.distributed import connect

    try:
        server = connect(REDIS_URL)
        server.ping()
    except Exception as exc:  # any failure means "not available here"
        if os.environ.get("AGGREGATOR_REQUIRE_REDIS"):
            pytest.fail(f"Redis required (AGGREGATOR_REQUIRE_REDIS) but not reachable at "
                        f"{REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); "
                    "set AGGREGATOR_TEST_REDIS_URL to run these")
    server.flushdb()
    monkeypatch.setenv("AGGREGATOR_REDIS_URL", REDIS_URL)
    yield REDIS_URL
    server.flushdb()


@pytest.fixture
def shared_store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The PostgreSQL store every worker writes to, emptied first."""
    from tests.conftest import _truncate_postgres

    _truncate_postgres(postgres_url)
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", postgres_url)
    return postgres_url
