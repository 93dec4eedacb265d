"""The synthetic order task: "A" before "B" decides the label, everything else is noise."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.synth import SEQUENCE_VOCAB, decode, make_sequences


def test_structure_labels_and_determinism():
    data = make_sequences(3000, length=10, random_state=0)
    assert data.tokens.shape == (3000, 10) and data.tokens.dtype == np.int64
    assert data.vocab == SEQUENCE_VOCAB and data.labels.dtype == np.int64
    assert (data.tokens[:, 0] == 0).all()
    assert ((data.tokens == 1).sum(axis=1) == 1).all()
    assert ((data.tokens == 2).sum(axis=1) == 1).all()
    assert ((data.tokens[:, 1:] == 0).sum() == 0)
    pos_a = (data.tokens == 1).argmax(axis=1)
    pos_b = (data.tokens == 2).argmax(axis=1)
    np.testing.assert_array_equal(data.labels, (pos_a < pos_b).astype(int))
    assert abs(data.labels.mean() - 0.5) < 0.03
    again = make_sequences(3000, length=10, random_state=0)
    np.testing.assert_array_equal(again.tokens, data.tokens)
    assert not np.array_equal(make_sequences(3000, length=10, random_state=1).tokens, data.tokens)


def test_distractors_carry_no_information_about_the_label():
    data = make_sequences(20000, random_state=2)
    for tok in range(3, len(SEQUENCE_VOCAB)):
        has = (data.tokens == tok).any(axis=1)
        assert abs(data.labels[has].mean() - data.labels[~has].mean()) < 0.04


def test_decode_and_bad_input():
    data = make_sequences(2, length=5, random_state=0)
    words = decode(data.tokens[0])
    assert words[0] == "[CLS]" and words.count("A") == 1 and words.count("B") == 1
    with pytest.raises(ValueError, match="ids in"):
        decode([0, 99])
    with pytest.raises(ValueError, match="length must be >= 3"):
        make_sequences(5, length=2)
    with pytest.raises(TypeError, match="n must be an int"):
        make_sequences(2.0)
