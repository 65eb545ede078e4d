"""What a crawl run's outcome means to source health, the scheduler and the crawl command."""

from __future__ import annotations

from sqlalchemy import text

from aggregator.store.engine import create_store_engine, upgrade_schema
from aggregator.store.run_outcome import RunOutcome
from aggregator.store.runs import finish_run, get_run, start_run


def outcomes(rule: str) -> set[str]:
    return {outcome.value for outcome in RunOutcome if getattr(outcome, rule)}


def test_what_each_outcome_means():
    finished = {"ok", "partial", "failed", "timeout", "unconfigured"}
    # Health judges a source, and the scheduler settles a slot, by the same runs: not one
    # under way, nor one that met no network or was stopped from outside.
    assert outcomes("judges_source") == outcomes("settles_slot") == finished
    # `aggregator crawl` and `schedule --once` exit with 1 when a crawl did not get through.
    assert outcomes("fails_command") == {"failed", "timeout", "offline", "stopped", "interrupted"}
    # Only these read the source through: zero items then means the source had none.
    assert outcomes("read_source") == {"ok", "partial"}


def test_a_run_reads_back_as_its_outcome(engine):
    run_id = start_run(engine, "boamp")
    assert get_run(engine, run_id).outcome is RunOutcome.RUNNING
    finish_run(engine, run_id, outcome="partial")  # its text, as older code wrote it
    run = get_run(engine, run_id)
    assert run.outcome is RunOutcome.PARTIAL and not run.outcome.fails_command


def test_runs_stopped_before_there_was_a_stopped_outcome_become_stopped(store_url):
    from alembic import command

    from aggregator.store.engine import alembic_config

    engine = create_store_engine(store_url)
    command.downgrade(alembic_config(engine), "base")
    upgrade_schema(engine, "0004")
    with engine.begin() as conn:
        for outcome, reason in (("failed", "shutdown"), ("failed", "crashed"), ("ok", "finished")):
            conn.execute(text("INSERT INTO crawl_runs (source, started_at, outcome, complete, "
                              "items_seen, items_new, items_updated, items_unchanged, "
                              "items_dropped, dropped_reasons, errors, requests, finish_reason, "
                              "args, stats) VALUES ('boamp', CURRENT_TIMESTAMP, :outcome, "
                              "false, 0, 0, 0, 0, 0, '{}', 0, 0, :reason, '{}', '{}')"),
                         {"outcome": outcome, "reason": reason})

    def stored() -> list[tuple[str, str]]:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(
                "SELECT outcome, finish_reason FROM crawl_runs ORDER BY id"))]

    upgrade_schema(engine)
    assert stored() == [("stopped", "shutdown"), ("failed", "crashed"), ("ok", "finished")]
    command.downgrade(alembic_config(engine), "0004")
    assert stored() == [("failed", "shutdown"), ("failed", "crashed"), ("ok", "finished")]
    upgrade_schema(engine)
