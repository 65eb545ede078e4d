"""Letters a source lost before it published them: "am�lioration" → "amélioration".

Some DECP platforms decoded their buyers' text with the wrong charset, and every accented
letter became U+FFFD, the replacement character ("Mise en place et am�lioration de la
vid�o surveillance", "R�UNION"). The letter is gone, but a French word has few spellings:
each word holding the character is looked up in a French word list (pyspellchecker's word
frequencies) with each accented letter in its place, and the most frequent spelling found
wins, in the word's case ("R�UNION" → "RÉUNION"). Around the words: "42�me" is "42ème",
"n� 12" "n° 12", "l�entreprise" "l'entreprise", a lone "�" before a word in lower case
"à". A word none of whose spellings is known keeps its replacement character: a guess
would be worse than a visible gap.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Mapping

REPLACEMENT = "\ufffd"
# the letters French writes with an accent (and its ligatures), most frequent first
_ACCENTED = "éèàêçôîâûùëïüœ"
# more replacement characters in one word than this: too many spellings to try (14³)
_MOST_PER_WORD = 3
_ELIDED = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"}

_ORDINAL = re.compile(r"(?<=\d)\ufffd(?=(?:me|re)s?\b)")  # 42ème, 1ère
_NUMBER_SIGN = re.compile(r"\b([nN])\ufffd(?=\s?\d)")  # n° 12
# "réponse � l'avis": à; before a capital ("Voirie � Lot 2") it may as well be a lost dash
_LONE = re.compile(r"(?<=[^\W\d_] )\ufffd(?= [^\W\d_])")
_WORD = re.compile(r"[^\W_]+\ufffd[\w\ufffd]*|\ufffd[\w\ufffd]+")


@functools.cache
def _french_words() -> Mapping[str, int]:
    """Each French word of the list (lower case) and how often it occurs: loaded once, on
    the first text that needs it."""
    from spellchecker import SpellChecker

    return SpellChecker(language="fr", distance=1).word_frequency.dictionary


def _spelling(word: str) -> str | None:
    """The most frequent known spelling of ``word`` (lower case, holding the character)."""
    gaps = word.count(REPLACEMENT)
    if gaps > _MOST_PER_WORD:
        return None
    words = _french_words()
    template = word.replace(REPLACEMENT, "{}")
    found = []
    for letters in itertools.product(_ACCENTED, repeat=gaps):
        spelt = template.format(*letters)
        count = words.get(spelt.replace("œ", "oe"))  # the list writes cœur "coeur"
        if count:
            found.append((count, spelt))
    return max(found)[1] if found else None


def _restored(match: re.Match[str]) -> str:
    word = match.group()
    lower = word.lower()
    spelt = _spelling(lower)
    if spelt is None:
        head, _, rest = lower.partition(REPLACEMENT)
        if head in _ELIDED and rest and REPLACEMENT not in rest and rest in _french_words():
            return word.replace(REPLACEMENT, "'", 1)  # l'entreprise, d'ouvrage
        return word
    letters = [c for c in word if c != REPLACEMENT and c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return spelt.upper()
    if len(spelt) != len(word):  # a letter whose lower case is longer: no case to keep
        return spelt
    # the case of every letter the text kept, the restored ones in lower case
    return "".join(c if c != REPLACEMENT else s for c, s in zip(word, spelt, strict=True))


def restore_lost_letters(text: str) -> str:
    """``text`` with the letters U+FFFD replaced put back where French allows only one."""
    if REPLACEMENT not in text:
        return text
    text = _ORDINAL.sub("è", text)
    text = _NUMBER_SIGN.sub(r"\1°", text)
    text = _LONE.sub(lambda lone: "à" if text[lone.end() + 1].islower() else lone.group(), text)
    return _WORD.sub(_restored, text)
