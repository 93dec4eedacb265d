"""A synthetic text task for a small transformer: does "A" come before "B"?

Each sequence starts with a [CLS] token and holds one "A" and one "B" at random positions among
distractor tokens (lower-case letters, drawn uniformly). The label is 1 when "A" comes first. Only
the two key tokens' positions decide the label, so an explanation can be checked against the
truth: every other token is irrelevant by construction.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_lib._validate import check_int as _int
from course_lib._validate import rng_streams as _streams

__all__ = ["SEQUENCE_VOCAB", "SequenceTask", "make_sequences", "decode"]

SEQUENCE_VOCAB: tuple[str, ...] = ("[CLS]", "A", "B", *"cdefghijklmnop")
CLS, KEY_A, KEY_B = 0, 1, 2
_STREAMS = ("positions", "distractors")


class SequenceTask(NamedTuple):
    """Token ids (n, length) with [CLS] first, labels (n,) and the vocabulary."""

    tokens: np.ndarray
    labels: np.ndarray
    vocab: tuple[str, ...]


def make_sequences(n: int = 2000, *, length: int = 12, random_state: int = 0) -> SequenceTask:
    """``n`` sequences of ``length`` tokens: [CLS], then one "A", one "B" and distractors.

    label = 1 if "A" comes before "B", else 0 (half each in expectation); the positions of "A"
    and "B" are a uniformly random ordered pair of positions 1..length−1.
    """
    n = _int(n, "n", 1)
    length = _int(length, "length", 3)
    rng = _streams(_int(random_state, "random_state", 0), _STREAMS)
    tokens = rng["distractors"].integers(3, len(SEQUENCE_VOCAB), (n, length))
    tokens[:, 0] = CLS
    keys = np.argsort(rng["positions"].random((n, length - 1)), axis=1)[:, :2] + 1
    rows = np.arange(n)
    tokens[rows, keys[:, 0]] = KEY_A
    tokens[rows, keys[:, 1]] = KEY_B
    labels = (keys[:, 0] < keys[:, 1]).astype(np.int64)
    return SequenceTask(tokens.astype(np.int64), labels, SEQUENCE_VOCAB)


def decode(tokens, vocab: tuple[str, ...] = SEQUENCE_VOCAB) -> list[str]:
    """The words of one sequence of token ids."""
    ids = np.asarray(tokens)
    if ids.ndim != 1 or ids.dtype.kind not in "iu" or (ids < 0).any() or (ids >= len(vocab)).any():
        raise ValueError(f"tokens must be one 1-D sequence of ids in [0, {len(vocab)})")
    return [vocab[i] for i in ids]
