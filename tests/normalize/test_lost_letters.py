"""Letters a DECP platform replaced by U+FFFD, put back where French allows one spelling.
The texts are those of the recorded AIFE file (tests/fixtures/awards/decp2019_data.gouv.fr_
aife_2019-04-04_excerpt.json), unless said."""

from __future__ import annotations

import json
import re

import pytest

from aggregator.normalize.lost_letters import REPLACEMENT, restore_lost_letters
from tests.sites import fixture

AIFE = "awards/decp2019_data.gouv.fr_aife_2019-04-04_excerpt.json"


@pytest.mark.parametrize("given, restored", [
    ("Mise en place et am\ufffdlioration de la vid\ufffdo surveillance",
     "Mise en place et amélioration de la vidéo surveillance"),
    ("March\ufffd Formalis\ufffds", "Marché Formalisés"),
    ("R\ufffdUNION", "RÉUNION"),  # a word in capitals keeps them
    ("S\ufffdCURIT\ufffd", "SÉCURITÉ"),
    ("TM / DMT D\ufffdchets", "TM / DMT Déchets"),
    ("pi\ufffdces d\ufffdtach\ufffdes", "pièces détachées"),  # è and é, by frequency
    ("\ufffdquipements \ufffdlectriques", "équipements électriques"),
    ("42\ufffdme arrondissement", "42ème arrondissement"),
    # not in the file: the shapes around words
    ("r\ufffdponse \ufffd l\ufffdavis", "réponse à l'avis"),
    ("ma\ufffdtre d\ufffdouvrage", "maître d'ouvrage"),
    ("avenant n\ufffd 2", "avenant n° 2"),
    ("C\ufffdUR DE VILLE", "CŒUR DE VILLE"),  # the list writes "coeur"
])
def test_a_lost_letter_is_put_back(given, restored):
    assert restore_lost_letters(given) == restored


@pytest.mark.parametrize("given", [
    "kiosk\ufffdco",  # no spelling is a French word
    "100 \ufffd HT",  # € or à: a lone character next to a number is not guessed
    "\ufffd",
    "Travaux de voirie \ufffd Lot 2",  # à or a dash ("voirie – Lot 2")
    "Ma\ufffd\ufffd\ufffd\ufffdrise",  # more than three in one word
])
def test_what_cannot_be_told_stays_as_given(given):
    assert restore_lost_letters(given) == given


def test_text_without_the_character_is_untouched():
    text = "Rénovation de l'école (lot n°2), 42e RI — 100 € HT"
    assert restore_lost_letters(text) is text


def test_the_recorded_file_keeps_only_what_cannot_be_told():
    texts = json.dumps(json.loads(fixture(AIFE)), ensure_ascii=False)
    restored = restore_lost_letters(texts)
    assert texts.count(REPLACEMENT) == 93
    left = re.findall(r"\S*\ufffd\S*", restored)
    # "ANNEES 2019 � 2021": à or an en dash; a firm's name
    assert left == ["\ufffd", "kiosk\ufffdco"]
    assert "2019 \ufffd 2021" in restored
