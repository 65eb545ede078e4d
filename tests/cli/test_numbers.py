"""A bad number on the command line (`--limit abc`, `show -3`, `--jobs 0`) is one line naming
what was typed and what is expected, in the reader's language, with no usage block."""

from __future__ import annotations

import pytest

from tests.test_i18n import aggregator

WHOLE = ("nombre entier", "whole number")
CASES = [
    (("list", "--limit", "abc"), "--limit 'abc'"),
    (("search", "--offset", "-1"), "--offset '-1'"),
    (("runs", "--limit", "0"), "--limit '0'"),
    (("crawl", "--jobs", "100"), "--jobs '100'"),
    (("show", "-3"), "ID '-3'"),
    (("show", "douze"), "ID 'douze'"),
    (("cpv", "béton", "--limit", "1.5"), "--limit '1.5'"),
    (("crawl", "--timeout", "0"), "--timeout '0'", ("un nombre de 0,1 à 10\u202f080",
                                                    "a number from 0.1 to 10,080")),
    (("crawl", "--timeout", "une heure"), "--timeout 'une heure'", ("un nombre de 0,1",
                                                                    "a number from 0.1")),
]


@pytest.mark.parametrize(("args", "named", "expected"),
                         [case if len(case) == 3 else (*case, WHOLE) for case in CASES])
def test_a_bad_number_is_one_line_in_french_and_in_english(args, named, expected, tmp_path):
    database = f"sqlite:///{tmp_path / 'store.db'}"
    french = aggregator(*args, AGGREGATOR_DATABASE_URL=database)
    english = aggregator(*args, AGGREGATOR_DATABASE_URL=database, LANG="en_GB.UTF-8")
    for result, error, expects in ((french, "erreur : ", expected[0]),
                                   (english, "error: ", expected[1])):
        assert result.returncode == 2
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr  # no usage block, no traceback
        assert lines[0].startswith(error + named)
        assert expects in lines[0]
