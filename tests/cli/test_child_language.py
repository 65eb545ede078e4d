"""A crawl's child process speaks the language of the `aggregator` that started it, even when
that language came from ``[ui] language`` (which the child does not read): what it says ends
in the run's note and the crawl's summary."""

from __future__ import annotations

import json

from tests.test_i18n import aggregator


def test_the_crawl_child_speaks_the_configured_language(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative --replay works from the caller's directory
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "manifest.json").write_text(json.dumps({"sources": {"boamp": {}}}))
    config = tmp_path / "aggregator.toml"
    config.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    store = {"AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}

    english = aggregator("--config", str(config), "crawl", "ted", "--replay", "set", **store)
    assert f"error: ted is not in the replay set {tmp_path / 'set'}" in english.stdout
    french = aggregator("crawl", "ted", "--replay", "set", **store)
    assert f"erreur : ted n'est pas dans le jeu rejoué {tmp_path / 'set'}" in french.stdout
