"""Whether two job listings that share a match key are the same offer.

Match keys (spiders.base.job_keys) only *propose* a pair: the same employer, title and city
(``job:``), the same title, city and opening words (``job-text:``), or the same ATS
reference (``job-ref:``: one offer, whatever relays it). An employer posting the same title
in the same city twice — two openings, or the same post reopened months later — gives the
same ``job:`` key, so a proposed pair is kept only when:

- it shares an ATS reference; or
- its publication dates are at most ``MAX_DAYS_APART`` days apart, and its descriptions are
  alike: most word 3-shingles of the shorter text are in the other — relays cut (APEC keeps
  the first lines), reflow or re-mark the text but keep its phrases; two different offers of
  one employer share its boilerplate only. The overlap comes from the shingle sets' Jaccard
  similarity, estimated with MinHash (``datasketch``), and their sizes:
  ``|A∩B| = J·(|A|+|B|)/(1+J)``, divided by the smaller size, at least ``MIN_OVERLAP``.
  A description too short to tell (or absent) does not refuse the pair: the key already says
  employer, title and city agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from aggregator.normalize.folding import fold
from aggregator.normalize.text import clean_text

REFERENCE_PREFIX = "job-ref:"
MAX_DAYS_APART = 21
MIN_OVERLAP = 0.5
SHINGLE_WORDS = 3
MIN_SHINGLES = 12  # fewer: too short a text to compare
PERMUTATIONS = 128
SEED = 7  # one seed for every signature: signatures are comparable across runs


@dataclass(frozen=True)
class Offer:
    """What the decision reads of a listing."""

    published_at: datetime | None
    description: str | None


def shingles(text: str | None) -> frozenset[str]:
    """The word 3-grams of a text, folded (case, accents, punctuation, HTML removed)."""
    words = fold(clean_text(text) or "").split() if text else []
    return frozenset(" ".join(words[i:i + SHINGLE_WORDS])
                     for i in range(len(words) - SHINGLE_WORDS + 1))


@lru_cache(maxsize=4096)
def signature(text: str | None) -> tuple[Any, int] | None:
    """The MinHash of a text's shingles and their number; None when the text is too short
    to compare."""
    found = shingles(text)
    if len(found) < MIN_SHINGLES:
        return None
    from datasketch import MinHash  # numpy-backed: imported when first needed

    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    minhash.update_batch([s.encode() for s in sorted(found)])
    return minhash, len(found)


def overlap(a: str | None, b: str | None) -> float | None:
    """The estimated share of the shorter description's shingles found in the other; None
    when one is too short to compare."""
    first, second = signature(a), signature(b)
    if first is None or second is None:
        return None
    jaccard = float(first[0].jaccard(second[0]))
    shared = jaccard * (first[1] + second[1]) / (1 + jaccard)
    return min(1.0, shared / min(first[1], second[1]))


def same_offer(a: Offer, b: Offer, *, shared_keys: frozenset[str] = frozenset()) -> bool:
    """Whether two listings proposed by ``shared_keys`` are one offer (see the module doc)."""
    if any(key.startswith(REFERENCE_PREFIX) for key in shared_keys):
        return True
    if a.published_at is not None and b.published_at is not None and \
            abs(a.published_at - b.published_at) > timedelta(days=MAX_DAYS_APART):
        return False
    alike = overlap(a.description, b.description)
    return alike is None or alike >= MIN_OVERLAP
