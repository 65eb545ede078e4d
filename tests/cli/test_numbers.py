"""A bad number on the command line (`--limit abc`, `show -3`, `--jobs 0`) is one line naming
what was typed and what is expected, in the reader's language, with no usage block."""

from __future__ import annotations

import pytest

from tests.test_i18n import aggregator

CASES = [
    (("list", "--limit", "abc"), "--limit 'abc'"),
    (("search", "--offset", "-1"), "--offset '-1'"),
    (("runs", "--limit", "0"), "--limit '0'"),
    (("crawl", "--jobs", "100"), "--jobs '100'"),
    (("show", "-3"), "ID '-3'"),
    (("show", "douze"), "ID 'douze'"),
    (("cpv", "béton", "--limit", "1.5"), "--limit '1.5'"),
]


@pytest.mark.parametrize(("args", "named"), CASES)
def test_a_bad_number_is_one_line_in_french_and_in_english(args, named, tmp_path):
    database = f"sqlite:///{tmp_path / 'store.db'}"
    french = aggregator(*args, AGGREGATOR_DATABASE_URL=database)
    english = aggregator(*args, AGGREGATOR_DATABASE_URL=database, LANG="en_GB.UTF-8")
    for result, error, expected in ((french, "erreur : ", "nombre entier"),
                                    (english, "error: ", "whole number")):
        assert result.returncode == 2
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr  # no usage block, no traceback
        assert lines[0].startswith(error + named)
        assert expected in lines[0]
