import math

import numpy as np
import pytest
import torch

from course_lib.models import train
from course_lib.privacy import (
    COURSE_CANARIES,
    RECORD_NAMES,
    CharMLP,
    canary_exposure,
    canary_exposures,
    char_windows,
    course_canaries,
    deduplicate_lines,
    digit_candidates,
    encode,
    exposure,
    insert_canary,
    make_vocab,
    medical_records,
    plant_canaries,
    sequence_log_likelihood,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

N = 10_000
MAX = math.log2(N)


def test_exposure_of_known_scorers():
    secret = 4721
    first = exposure(lambda idx: (idx == secret).astype(float), secret, N)
    assert first == pytest.approx(MAX)
    last = exposure(lambda idx: -(idx == secret).astype(float), secret, N)
    assert last == pytest.approx(0.0)
    # every candidate alike: the secret sits at the mean rank (N + 1) / 2, about 1 bit
    flat = exposure(lambda idx: np.zeros(len(idx)), secret, N)
    assert flat == pytest.approx(MAX - math.log2((N + 1) / 2))
    # the 10th best of 10^4
    tenth = exposure(lambda idx: 2.0 * (idx < 9) + (idx == 9), 9, N)
    assert tenth == pytest.approx(MAX - math.log2(10))


def test_random_scorer_has_about_log2_e_bits_on_average():
    table = np.random.default_rng(0).random(N)
    values = [exposure(lambda idx: table[idx], s, N, chunk_size=4096) for s in range(0, N, 50)]
    # rank uniform on 1..N: E[exposure] = log2 N − E[log2 rank] → log2 e ≈ 1.44
    assert np.mean(values) == pytest.approx(math.log2(math.e), abs=0.25)


def test_chunking_does_not_change_exposure():
    table = np.random.default_rng(1).normal(size=N)
    calls = []

    def scorer(idx):
        calls.append(len(idx))
        return table[idx]

    a = exposure(scorer, 123, N, chunk_size=7)
    assert max(calls) <= 7
    b = exposure(lambda idx: table[idx], 123, N, chunk_size=N)
    assert a == b


def test_windows_and_encoding():
    vocab = make_vocab("ab1")
    assert vocab == " 1ab"
    x, y = char_windows("ab", vocab, 3)
    np.testing.assert_array_equal(x, [[0, 0, 0], [0, 0, 2]])
    np.testing.assert_array_equal(y, [2, 3])
    assert digit_candidates(np.array([0, 42, 9999])) == ["0000", "0042", "9999"]
    lines = insert_canary(["a", "b"], "c", 3, random_state=0)
    assert lines.count("c") == 3 and len(lines) == 5
    assert deduplicate_lines(lines) == [s for s in dict.fromkeys(lines)]


def test_sequence_log_likelihood_is_the_sum_of_next_char_log_probs():
    vocab = make_vocab("pin is 0123456789")
    torch.manual_seed(0)
    model = CharMLP(len(vocab), context=4)
    ll = sequence_log_likelihood(model, "pin is ", ["07", "93"], vocab)
    for cand, value in zip(["07", "93"], ll, strict=True):
        text = "    pin is " + cand
        codes = torch.from_numpy(encode(text, vocab))
        total = 0.0
        for j in range(len(text) - 2, len(text)):
            with torch.no_grad():
                logp = torch.log_softmax(model(codes[j - 4:j].unsqueeze(0)), 1)[0, codes[j]]
            total += float(logp)
        assert value == pytest.approx(total, abs=1e-4)


def _corpus(repeats, seed=0):
    rng = np.random.default_rng(seed)
    names = ["ann", "bob", "eve", "sam"]
    lines = [f"{rng.choice(names)} has room {rng.integers(0, 10000):04d}\n" for _ in range(150)]
    return insert_canary(lines, "my pin is 4721\n", repeats, random_state=seed)


@pytest.mark.slow
def test_untrained_model_is_near_chance_and_memorised_canary_near_max():
    text = "".join(_corpus(10))
    vocab = make_vocab(text + "0123456789")
    x, y = char_windows(text, vocab, 8)
    torch.manual_seed(0)
    model = CharMLP(len(vocab), context=8)
    untrained = canary_exposure(model, "my pin is ", "4721", vocab)
    assert untrained < 4
    train(model, x, y, epochs=12, batch_size=128, lr=1e-2, progress=False)
    memorised = canary_exposure(model, "my pin is ", "4721", vocab)
    assert memorised > MAX - 1.5
    # a secret that was never inserted stays unexposed
    assert canary_exposure(model, "my pin is ", "1234", vocab) < memorised - 5


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="secret_index"):
        exposure(lambda i: np.zeros(len(i)), 10, 10)
    with pytest.raises(TypeError, match="score_fn"):
        exposure(None, 1, 10)
    with pytest.raises(ValueError, match="one score per index"):
        exposure(lambda i: np.zeros(3), 1, 10)
    with pytest.raises(ValueError, match="not in vocab"):
        encode("xyz", " ab")
    with pytest.raises(ValueError, match="secret"):
        canary_exposure(CharMLP(12, 2), "a", "12a4", " 0123456789a")
    with pytest.raises(ValueError, match="vocab_size"):
        CharMLP(1)
    with pytest.raises(TypeError, match="lines"):
        insert_canary("abc", "x")


def test_plant_canaries_inserts_each_canary_its_number_of_times():
    records = medical_records(200, random_state=0)
    lines = plant_canaries(records, COURSE_CANARIES, random_state=5)
    assert len(lines) == 200 + sum(COURSE_CANARIES)
    for copies, (prefix, secret) in COURSE_CANARIES.items():
        assert lines.count(prefix + secret + "\n") == copies
    by_hand = records
    for copies, (prefix, secret) in COURSE_CANARIES.items():
        by_hand = insert_canary(by_hand, prefix + secret + "\n", copies, random_state=5 + copies)
    assert lines == by_hand and records == medical_records(200, random_state=0)
    vocab = make_vocab("".join(lines) + "0123456789")
    torch.manual_seed(0)
    model = CharMLP(len(vocab), context=4)
    bits = canary_exposures(model, COURSE_CANARIES, vocab)
    assert list(bits) == list(COURSE_CANARIES)
    assert bits[16] == canary_exposure(model, *COURSE_CANARIES[16], vocab)


def test_plant_canaries_bad_input_is_named():
    with pytest.raises(TypeError, match="canaries"):
        plant_canaries(["a\n"], [("p", "1")])
    with pytest.raises(TypeError, match="canaries"):
        plant_canaries(["a\n"], {2: "p1"})
    with pytest.raises(ValueError, match="copies"):
        plant_canaries(["a\n"], {-1: ("p", "1")})
    with pytest.raises(TypeError, match="lines"):
        plant_canaries("a\n", {1: ("p", "1")})


def test_median_exposure_of_a_random_rank_is_one_bit():
    """Rank uniform on 1..N: the median rank is about N/2, so the median exposure is about 1 bit
    (the mean is log2 e ≈ 1.44, pulled up by the few lucky top ranks)."""
    ranks = np.arange(1, N + 1)
    bits = MAX - np.log2(ranks)
    assert np.median(bits) == pytest.approx(1.0, abs=1e-3)
    assert bits.mean() == pytest.approx(1 / math.log(2), abs=2e-3)


def test_course_canaries_give_every_canary_its_own_name_and_pin():
    groups = course_canaries(4)
    assert list(groups) == list(COURSE_CANARIES)
    assert all(len(g) == 4 for g in groups.values())
    assert {c: g[0] for c, g in groups.items()} == COURSE_CANARIES
    pairs = [pair for g in groups.values() for pair in g]
    names = [next(n for n in RECORD_NAMES if f"; {n}'s pin " in p) for p, _ in pairs]
    assert len(set(names)) == len(pairs) == 16  # a 12-character context sees the name only
    assert len({s for _, s in pairs}) == 16 and all(len(s) == 4 and s.isdigit() for _, s in pairs)
    assert course_canaries(2) == {c: g[:2] for c, g in groups.items()}
    assert course_canaries() == {c: (pair,) for c, pair in COURSE_CANARIES.items()}
    with pytest.raises(ValueError, match="per_copy"):
        course_canaries(5)
    with pytest.raises(TypeError, match="per_copy"):
        course_canaries(2.0)


def test_groups_of_canaries_are_planted_and_measured_one_by_one():
    groups = course_canaries(3)
    records = medical_records(200, random_state=0)
    lines = plant_canaries(records, groups, random_state=5)
    assert len(lines) == 200 + 3 * sum(groups)
    for copies, group in groups.items():
        for prefix, secret in group:
            assert lines.count(prefix + secret + "\n") == copies
    by_hand = records
    for copies, group in groups.items():
        for j, (prefix, secret) in enumerate(group):
            by_hand = insert_canary(by_hand, prefix + secret + "\n", copies,
                                    random_state=5 + copies + 1000 * j)
    assert lines == by_hand
    # a single pair per count plants exactly as before
    assert plant_canaries(records, COURSE_CANARIES, random_state=5) == plant_canaries(
        records, {c: [pair] for c, pair in COURSE_CANARIES.items()}, random_state=5)
    vocab = make_vocab("".join(lines) + "0123456789")
    torch.manual_seed(0)
    model = CharMLP(len(vocab), context=4)
    bits = canary_exposures(model, groups, vocab)
    assert list(bits) == list(groups) and all(len(bits[c]) == 3 for c in groups)
    assert bits[16][2] == canary_exposure(model, *groups[16][2], vocab)
    single = canary_exposures(model, COURSE_CANARIES, vocab)
    assert single == {c: b[0] for c, b in bits.items()}
    with pytest.raises(ValueError, match=r"canaries\[4\]\[1\] secret"):
        canary_exposures(model, {4: [("p ", "12"), ("p ", "1a")]}, vocab)
    with pytest.raises(TypeError, match="canaries"):
        plant_canaries(records, {4: []})
