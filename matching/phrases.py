"""Phrase similarity over the vocabulary of an instance, computed once in bulk with RapidFuzz.

Similarity of a seeker phrase and a position phrase is an integer 0..100:

* 100 when both phrases belong to the same concept of the built-in bilingual vocabulary
  (`matching.vocabulary`), so "数据标注" meets "data annotation" and "data anotation";
* otherwise RapidFuzz ``fuzz.ratio`` of the normalised phrases, counted only from
  `SIMILARITY_CUTOFF` up (below it, two phrases share letters by chance and score 0).

A phrase belongs to a concept when ``fuzz.WRatio`` against one of the concept's variants is at
least `CONCEPT_CUTOFF` (the best variant wins; ties go to the first concept in the table).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process, utils

from matching.vocabulary import SKILL_CONCEPTS

SIMILARITY_CUTOFF: Final[int] = 60
CONCEPT_CUTOFF: Final[int] = 88

_VARIANTS: Final[tuple[str, ...]] = tuple(v for vs in SKILL_CONCEPTS.values() for v in vs)
_VARIANT_CONCEPT: Final[npt.NDArray[np.int32]] = np.array(
    [i for i, vs in enumerate(SKILL_CONCEPTS.values()) for _ in vs], dtype=np.int32
)


def normalise(phrase: str) -> str:
    """Return the comparison form of a phrase: NFKC, lower case, punctuation to spaces."""
    return " ".join(utils.default_process(unicodedata.normalize("NFKC", phrase)).split())


def concepts_of(phrases: Sequence[str]) -> npt.NDArray[np.int32]:
    """Return the vocabulary concept index of each normalised phrase, or -1 when none is close."""
    if not phrases:
        return np.zeros(0, dtype=np.int32)
    scores = process.cdist(
        phrases,
        _VARIANTS,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=CONCEPT_CUTOFF,
        dtype=np.uint8,
        workers=-1,
    )
    best = np.argmax(scores, axis=1)
    found = scores[np.arange(len(phrases)), best] >= CONCEPT_CUTOFF
    return np.where(found, _VARIANT_CONCEPT[best], -1).astype(np.int32)


def concept_name(index: int) -> str | None:
    """Return the vocabulary code of a concept index (None for -1)."""
    return None if index < 0 else tuple(SKILL_CONCEPTS)[index]


@dataclass(frozen=True, slots=True)
class PhraseTable:
    """Similarity of every seeker phrase (rows) to every position phrase (columns)."""

    rows: dict[str, int]
    cols: dict[str, int]
    #: uint8 matrix len(rows) x len(cols)
    similarity: npt.NDArray[np.uint8]

    def between(self, seeker_phrase: str, position_phrase: str) -> int:
        """Return the similarity of two normalised phrases (both must be in the table)."""
        return int(self.similarity[self.rows[seeker_phrase], self.cols[position_phrase]])


def _distinct(phrases: Iterable[str]) -> dict[str, int]:
    return {p: i for i, p in enumerate(sorted(set(phrases)))}


def build_phrase_table(
    seeker_phrases: Iterable[str], position_phrases: Iterable[str]
) -> PhraseTable:
    """Compute similarities once over the distinct normalised phrases of both sides."""
    rows = _distinct(seeker_phrases)
    cols = _distinct(position_phrases)
    row_list = list(rows)
    col_list = list(cols)
    if not row_list or not col_list:
        return PhraseTable(rows, cols, np.zeros((len(row_list), len(col_list)), dtype=np.uint8))
    similarity = process.cdist(
        row_list,
        col_list,
        scorer=fuzz.ratio,
        processor=utils.default_process,
        score_cutoff=SIMILARITY_CUTOFF,
        dtype=np.uint8,
        workers=-1,
    )
    row_concepts = concepts_of(row_list)
    col_concepts = concepts_of(col_list)
    # Same concept: the bilingual vocabulary says these mean the same work.
    for concept in np.intersect1d(row_concepts[row_concepts >= 0], col_concepts[col_concepts >= 0]):
        similarity[np.ix_(row_concepts == concept, col_concepts == concept)] = 100
    return PhraseTable(rows, cols, np.ascontiguousarray(similarity, dtype=np.uint8))
