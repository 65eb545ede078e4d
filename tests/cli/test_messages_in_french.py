"""The query layer's errors, alerts, the configuration's checks, `aggregator db` and the awards
commands speak French by default and English on request, end to end through the command."""

from __future__ import annotations

import pytest

from tests.test_i18n import aggregator

ENGLISH = {"LANG": "en_GB.UTF-8"}


@pytest.fixture
def store(tmp_path) -> dict[str, str]:
    return {"AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}


@pytest.mark.parametrize(("args", "french", "english"), [
    (("search", "kidn:job"),
     "clé inconnue 'kidn' dans 'kidn:job' (clés connues : kind,",
     "unknown key 'kidn' in 'kidn:job' (known keys: kind,"),
    (("search", "deadline<abc"),
     "date limite incorrecte 'abc' : un nombre de jours attendu, par ex. 15d, une date",
     "bad deadline date 'abc': expected a number of days such as 15d, a date"),
    (("search", "--closing-within", "abc"),
     "--closing-within 'abc' : un nombre de jours attendu, par ex. 7d ou 2w",
     "--closing-within 'abc': expected a number of days such as 7d or 2w"),
    (("search", "kind<job"),
     "seuls deadline, awarded, ends, salary et value prennent < ou > ; écrivez kind:VALEUR",
     "only deadline, awarded, ends, salary and value take < or >; write kind:VALUE"),
    (("search", "dep:"),  # a query of one word names it once, in each language
     "requête invalide 'dep:' : dep demande une valeur",
     "invalid query 'dep:': dep needs a value"),
    (("search", "--", "kind:boat"),
     "genre incorrect 'boat' : job, tender ou award attendu",
     "bad kind 'boat': expected job, tender or award"),
    (("buyer", "zzz"),
     "aucun acheteur nommé 'zzz' parmi les attributions enregistrées",
     "no buyer named 'zzz' among the stored awards"),
    (("alerts", "remove", "nosuch"),
     "pas d'alerte nommée 'nosuch' (voir `aggregator alerts list`)",
     "no alert named 'nosuch' (see `aggregator alerts list`)"),
    (("search", "kind:award", "supplier:trabet"),  # matched nothing: a name is no SIRET
     "titulaire incorrect 'trabet' : un SIRET attendu, par ex. 21590392300013, pas un nom",
     "bad supplier 'trabet': expected a SIRET such as 21590392300013, not a name"),
    (("sources", "follow", "http://127.0.0.1:1/carrieres", "--dry-run"),
     "impossible de lire la page : http://127.0.0.1:1/carrieres : connexion refusée",
     "cannot read the page: http://127.0.0.1:1/carrieres: connection refused"),
    (("renewals", "--within", "abc"),
     "--within 'abc' : une durée est attendue, comme 12m",
     "--within 'abc': expected a length such as 12m, 90d, 2w or 1y"),
    (("alerts", "add", "x", "kind:job", "--to", "a@example.fr", "--every", "monthly"),
     "--every vaut daily, weekly ou HH:MM (heure locale sur 24 h), pas 'monthly'",
     "--every is daily, weekly or HH:MM (24-hour local time), not 'monthly'"),
])
def test_errors_are_one_line_in_each_language(args, french, english, store):
    for env, error, message in (({}, "erreur : ", french), (ENGLISH, "error: ", english)):
        result = aggregator(*args, **store, **env)
        assert result.returncode == 2
        [line] = result.stderr.splitlines()  # one line, no traceback
        assert line.startswith(error)
        assert message in line


@pytest.mark.parametrize(("toml", "french", "english"), [
    ('[schedule]\ntime = "25:99"\n',
     '[schedule] time doit être "HH:MM" (00:00 à 23:59) ou une expression cron à 5 champs, '
     "pas '25:99'",
     '[schedule] time must be "HH:MM" (00:00 to 23:59) or a 5-field cron expression, '
     "not '25:99'"),
    ('[smtp]\nport = "vingt-cinq"\n', "[smtp] port doit être un numéro de port",
     "[smtp] port must be a port number"),
    ('[sources.greenhouse]\nboards = ["doctolib", 3]\n',
     "[sources.greenhouse] boards doit être un texte entre guillemets, pas 3",
     "[sources.greenhouse] boards must be a text in quotes, not 3"),
    ("[schedule]\njobs = true\n", "jobs doit être un nombre entier >= 1, pas true",
     "jobs must be a whole number >= 1, not true"),
    ("[schedule\n", "ligne 1, colonne 10 : TOML incorrect (Expected ']'",
     "line 1, column 10: not valid TOML (Expected ']'"),
    (b"\xff\xfe[schedule]\n", "pas du texte UTF-8 (octet 1)", "not UTF-8 text (byte 1)"),
])
def test_configuration_errors_are_one_line_in_each_language(toml, french, english, store,
                                                           tmp_path):
    config = tmp_path / "aggregator.toml"
    config.write_bytes(toml if isinstance(toml, bytes) else toml.encode("utf-8"))
    for env, message in (({}, french), (ENGLISH, english)):
        result = aggregator("--config", str(config), "list", **store, **env)
        assert result.returncode == 2
        [line] = result.stderr.splitlines()
        assert message in line, line


def test_db_current_and_the_awards_help_in_each_language(store):
    wide = {"COLUMNS": "200"}  # a line each
    french = aggregator("db", "current", **store, **wide).stdout
    assert "base de données : sqlite:///" in french
    assert "révision : aucune (pas encore de schéma ; la dernière est" in french
    english = aggregator("db", "current", **store, **wide, **ENGLISH).stdout
    assert "database: sqlite:///" in english
    assert "revision: none (no schema yet; head is" in english

    assert "Le SIRET de l'acheteur" in aggregator("buyer", "--help").stdout
    assert "The buyer's SIRET" in aggregator("buyer", "--help", **ENGLISH).stdout
    assert "les appels d'offres à venir" in aggregator("renewals", "--help").stdout
    assert "Jusqu'où regarder" in aggregator("renewals", "--help").stdout
    assert "the tenders that will come" in aggregator("renewals", "--help", **ENGLISH).stdout
