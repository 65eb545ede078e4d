"""The configuration file: lookup order, sections, errors that say where."""

from __future__ import annotations

import pytest

from aggregator.config import ConfigError, database_url, load_config


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_sections_are_read(tmp_path, monkeypatch):
    config_file = write(tmp_path / "a.toml", """
[database]
url = "postgresql+psycopg://u@db/aggregator"
[schedule]
time = "07:30"
[smtp]
host = "smtp.example.org"
port = 587
security = "starttls"
from = "alerts@example.org"
[sources.greenhouse]
boards = ["codepath", "stripe"]
[sources.ted]
enabled = false
schedule = "0 5 * * 1-5"
""")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config_file))
    monkeypatch.delenv("AGGREGATOR_DATABASE_URL")
    config = load_config()
    assert config.database_url == "postgresql+psycopg://u@db/aggregator"
    assert database_url(config) == "postgresql+psycopg://u@db/aggregator"
    assert config.schedule.time == "07:30" and config.schedule.timezone == "Europe/Paris"
    assert (config.smtp.host, config.smtp.port, config.smtp.sender) == (
        "smtp.example.org", 587, "alerts@example.org")
    assert config.source("greenhouse").params == {"boards": ["codepath", "stripe"]}
    assert config.source("ted").enabled is False
    assert config.source("ted").schedule == "0 5 * * 1-5"
    assert config.source("boamp").enabled is True  # absent means enabled, defaults


def test_environment_database_url_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(write(tmp_path / "a.toml",
                                                      '[database]\nurl = "sqlite:///x"\n')))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", "sqlite:///from-env")
    assert database_url() == "sqlite:///from-env"


def test_default_store_is_sqlite_in_db(monkeypatch):
    monkeypatch.delenv("AGGREGATOR_DATABASE_URL")
    assert database_url().endswith("/db/aggregator.sqlite3")


@pytest.mark.parametrize("text, message", [
    ("[database\nurl=1", "Expected ']'"),
    ("schedule = 3", "[schedule] must be a table"),
    ("[smtp]\nhots = 'x'", "hots"),
])
def test_bad_files_say_where_and_why(tmp_path, monkeypatch, text, message):
    path = write(tmp_path / "bad.toml", text)
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(path))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_missing_explicit_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="not found"):
        load_config()


def test_the_example_file_is_valid_and_names_only_real_sources(monkeypatch):
    from aggregator.config import PROJECT_ROOT
    from aggregator.crawling.registry import spider_names

    example = PROJECT_ROOT / "aggregator.example.toml"
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(example))
    config = load_config()
    assert config.sources and set(config.sources) <= set(spider_names())
    assert config.schedule.time == "06:00" and config.smtp.security in ("none", "starttls", "ssl")


def test_database_pool_settings_reach_the_postgresql_engine_only(tmp_path, monkeypatch):
    from aggregator.store.engine import create_store_engine

    monkeypatch.setenv("AGGREGATOR_CONFIG", str(write(tmp_path / "a.toml", """
[database]
url = "postgresql+psycopg://u@db.invalid/aggregator"
pool_size = 3
max_overflow = 2
pool_timeout = 7.5
pool_recycle = 600
""")))
    monkeypatch.delenv("AGGREGATOR_DATABASE_URL")
    pool = create_store_engine().pool  # creating an engine does not connect
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (3, 2, 7.5, 600)
    assert create_store_engine(pool_size=1).pool.size() == 1
    # SQLite keeps SQLAlchemy's default pool for a file (5 connections), whatever is set
    assert create_store_engine(f"sqlite:///{tmp_path}/s.sqlite3").pool.size() == 5
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(write(tmp_path / "b.toml", "[database]\n")))
    assert create_store_engine("postgresql+psycopg://u@db.invalid/a").pool.size() == 5


@pytest.mark.parametrize("text, message", [
    ("[database]\npool_size = -1", "pool_size must be a number >= 0"),
    ("[database]\npool_recycle = 'often'", "pool_recycle must be a number"),
    ("[database]\npool_sise = 3", "pool_sise"),
])
def test_bad_pool_settings_are_named(tmp_path, monkeypatch, text, message):
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(write(tmp_path / "bad.toml", text)))
    with pytest.raises(ConfigError, match=message):
        load_config()


@pytest.mark.parametrize("text, message", [
    ('[sources.ted]\nenabled = "false"', '[sources.ted] enabled must be true or false'),
    ('[schedule]\njobs = "x"', "[schedule] jobs must be a whole number >= 1"),
    ("[schedule]\ntimeout_minutes = 0", "[schedule] timeout_minutes must be a number"),
    ("[smtp]\nport = 70000", "[smtp] port must be a port number"),
    ('[smtp]\nsecurity = "tls"', '[smtp] security must be "none", "starttls" or "ssl"'),
    ('[smtp]\npassword = "hunter2"', "set AGGREGATOR_SMTP_PASSWORD in the environment"),
    ("[database]\nurl = 5", "[database] url must be a SQLAlchemy URL"),
    ('[distributed]\nenabled = "yes"', "[distributed] enabled must be true or false"),
])
def test_wrong_types_and_values_are_refused_naming_the_key(tmp_path, monkeypatch, text,
                                                           message):
    path = write(tmp_path / "bad.toml", text)
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(path))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert message in str(error.value)
    assert "hunter2" not in str(error.value)


def test_every_section_and_key_of_the_schema_is_documented():
    from aggregator.config import PROJECT_ROOT, ConfigFile
    from aggregator.config.sources import SECTIONS

    text = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = []
    for section, field in ConfigFile.model_fields.items():
        if f"## `[{section}" not in text:
            missing.append(f"[{section}]")
        model = field.annotation
        for name, key in getattr(model, "model_fields", {}).items():
            if f"`{key.alias or name}`" not in text:
                missing.append(f"[{section}] {key.alias or name}")
    from aggregator.crawling.registry import spider_names

    for source in spider_names():
        missing += [f"[sources.{source}] {name}" for name in SECTIONS[source].model_fields
                    if f"`{name}`" not in text]
        if source not in text:
            missing.append(f"[sources.{source}]")
    assert not missing, f"docs/configuration.md lacks {missing}"


@pytest.mark.parametrize("text, message", [
    ("[databse]\nurl = 'x'", "[databse]: unknown section (did you mean [database]?)"),
    ("[sources.boampp]", "[sources.boampp]: unknown source (did you mean [sources.boamp]?)"),
    ("[sources.boamp]\npage_sise = 3", "[sources.boamp] page_sise: unknown key (did you mean "
                                       "page_size?)"),
    ('[schedule]\ntime = "25:99"', "[schedule] time must be \"HH:MM\" (00:00 to 23:59)"),
    ('[sources.ted]\nschedule = "tomorrow"', "[sources.ted] schedule must be \"HH:MM\" (00:00 "
                                              "to 23:59) or a 5-field cron expression"),
    ('[sources.boamp]\napi_url = "notaurl"', "[sources.boamp] api_url must be an http(s) URL"),
    ('[sources.francetravail]\nclient_secret = "s3cret"',
     "set FRANCE_TRAVAIL_CLIENT_SECRET in the environment"),
    ('[distributed]\nredis_url = "notredis://x"', "[distributed] redis_url must be a redis://"),
    ('[ui]\nlanguage = "de"', '[ui] language must be "fr" or "en"'),
    ("[sources]\nboamp = 3", "[sources.boamp] must be a table"),
])
def test_the_schema_names_the_key_and_the_closest_valid_name(tmp_path, monkeypatch, text,
                                                             message):
    path = write(tmp_path / "bad.toml", text)
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(path))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)
    assert "s3cret" not in str(error.value)


_SECTIONS_READ = """
import sys
from aggregator.config import database_url, load_config
config = load_config()
loaded = "pydantic" in sys.modules
print(loaded, database_url(config), config.source("ted").enabled, config.source("ted").schedule,
      config.source("greenhouse").params, config.pool.pool_size, config.smtp.sender,
      config.schedule.time, config.distributed.enabled)
"""


def test_a_file_found_valid_is_not_checked_again_until_it_changes(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys

    config_file = write(tmp_path / "a.toml", """
[database]
url = "postgresql+psycopg://u@db/aggregator"
pool_size = 2
[smtp]
from = "alerts@example.org"
[sources.greenhouse]
boards = ["codepath"]
[sources.ted]
enabled = false
schedule = "0 5 * * 1-5"
""")
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config_file))
    monkeypatch.delenv("AGGREGATOR_DATABASE_URL")

    def read() -> str:
        return subprocess.run([sys.executable, "-c", _SECTIONS_READ], env=dict(os.environ),
                              capture_output=True, text=True, check=True).stdout.strip()

    same = ("postgresql+psycopg://u@db/aggregator False 0 5 * * 1-5 {'boards': ['codepath']} "
            "2 alerts@example.org 06:00 False")
    assert read() == f"True {same}"  # checked: the schema loaded
    assert read() == f"False {same}"  # the same content: read as it was found valid
    write(config_file, config_file.read_text(encoding="utf-8").replace("pool_size = 2",
                                                                        "pool_size = -1"))
    with pytest.raises(ConfigError, match="pool_size"):  # changed: checked again, refused
        load_config()
    done = subprocess.run([sys.executable, "-c", _SECTIONS_READ], env=dict(os.environ),
                          capture_output=True, text=True)
    assert done.returncode == 1 and "pool_size" in done.stderr
