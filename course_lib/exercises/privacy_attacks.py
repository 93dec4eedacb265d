"""Exercises for notebook 07 (privacy attacks).

q2 is implement-the-core: the learner writes exposure from a list of scores, checked on hidden
cases against ``course_lib.privacy.exposure``. The computed problems (q1, q3) recompute the
right value from the notebook's own objects (the trained character model, the attack result),
so the check is exact in the notebook and in the tests (which use a small untrained model and
random scores).
"""

from __future__ import annotations

import math

import numpy as np

from course_lib.exercises._core import ComputedValueProblem, Criterion, ReflectionProblem, register
from course_lib.exercises._function import Case, FunctionProblem

__all__ = ["q1", "q2", "q3", "q4"]

N_PINS = 10_000


# -- q1: the rank of a canary among all 10⁴ PINs -----------------------------------------------
_Q1_SETUP = """\
import math

import numpy as np
import torch
from course_lib.privacy import (CharMLP, course_canaries, digit_candidates, exposure,
                                make_vocab, sequence_log_likelihood)

vocab = make_vocab("abcdefghijklmnopqrstuvwxyz;' 0123456789\\n")
torch.manual_seed(0)
char_model = CharMLP(len(vocab), context=12).eval()
canaries = course_canaries(4)
"""


def _pairs(group):
    """The (prefix, secret) pairs of one copy count: a single pair, or a group of them."""
    if isinstance(group, tuple) and len(group) == 2 and all(isinstance(t, str) for t in group):
        return [group]
    return list(group)


def _scores_4(char_model, vocab, canaries):
    """(log-likelihoods of all 10⁴ PINs after the first 4-copy canary's prefix, its index)."""
    import numpy as np

    from course_lib.privacy import digit_candidates, sequence_log_likelihood

    prefix, secret = _pairs(canaries[4])[0]
    scores = sequence_log_likelihood(char_model, prefix, digit_candidates(np.arange(N_PINS)),
                                     vocab)
    return scores, int(secret)


_RANK_CACHE: dict[tuple, int] = {}


def _rank_4(char_model, vocab, canaries):
    """The secret's rank (1 = best); cached per model state, since each check needs it 4 times."""
    key = (id(char_model), tuple(p._version for p in char_model.parameters()), vocab,
           tuple(_pairs(canaries[4])[0]))
    if key not in _RANK_CACHE:
        scores, s = _scores_4(char_model, vocab, canaries)
        _RANK_CACHE.clear()
        _RANK_CACHE[key] = 1 + int((scores > scores[s]).sum())
    return _RANK_CACHE[key]


q1 = ComputedValueProblem(
    id="privacy_attacks.q1",
    prompt=("Score all 10,000 four-digit PINs after the prefix of the first canary planted 4 "
            "times (`canaries[4][0]`) with `sequence_log_likelihood`, and find the rank of its "
            "secret "
            "(1 = the model's most likely PIN). Store it in `rank_4`."),
    variables=("rank_4",),
    context=("char_model", "vocab", "canaries"),
    hints=(
        "A rank compares the secret's score with every other PIN's: score all 10,000 first.",
        "`prefix, secret = canaries[4][0]`; `digit_candidates(np.arange(10_000))` lists every PIN "
        "as a string, in order, so the secret's score is at index `int(secret)`.",
        "`scores = sequence_log_likelihood(char_model, prefix, candidates, vocab)`; the rank is "
        "1 + the number of candidates whose score is strictly higher than `scores[int(secret)]`.",
    ),
    solution_code="""\
prefix, secret = canaries[4][0]
scores = sequence_log_likelihood(char_model, prefix, digit_candidates(np.arange(10_000)), vocab)
rank_4 = 1 + int((scores > scores[int(secret)]).sum())""",
    wrong_code=(
        """\
prefix, secret = canaries[4][0]
scores = sequence_log_likelihood(char_model, prefix, digit_candidates(np.arange(10_000)), vocab)
rank_4 = int((scores > scores[int(secret)]).sum())""",
        """\
prefix, secret = canaries[4][0]
scores = sequence_log_likelihood(char_model, prefix, digit_candidates(np.arange(10_000)), vocab)
rank_4 = 1 + int((scores < scores[int(secret)]).sum())""",
        """\
prefix, secret = canaries[4][0]
scores = sequence_log_likelihood(char_model, prefix, digit_candidates(np.arange(10_000)), vocab)
rank_4 = math.log2(10_000) - math.log2(1 + int((scores > scores[int(secret)]).sum()))""",
        "rank_4 = 'high'",
    ),
    setup_code=_Q1_SETUP,
    expected=_rank_4,
    known_wrong=(
        (lambda char_model, vocab, canaries: _rank_4(char_model, vocab, canaries) - 1,
         "off by one: the best candidate has rank 1, so the rank is 1 + the number of "
         "candidates scored above the secret."),
        (lambda char_model, vocab, canaries: N_PINS + 1 - _rank_4(char_model, vocab, canaries),
         "you counted from the bottom: a higher log-likelihood means more likely, and rank 1 "
         "is the most likely PIN."),
        (lambda char_model, vocab, canaries: math.log2(N_PINS)
         - math.log2(_rank_4(char_model, vocab, canaries)),
         "that is the exposure, log2(10⁴) − log2(rank): the question asks for the rank itself."),
    ),
    rel_tol=0.0,
    abs_tol=0.5,
)


# -- q3: Yeom's threshold -------------------------------------------------------------------------
_QY_SETUP = """\
import numpy as np
from course_lib.privacy import evaluate_attack, membership_advantage

rng = np.random.default_rng(0)
attack_overfit = evaluate_attack(-rng.exponential(0.3, 400), -rng.exponential(0.5, 400))
"""


def _yeom(attack_overfit):
    from course_lib.privacy import membership_advantage

    s_in, s_out = attack_overfit.member_scores, attack_overfit.nonmember_scores
    return membership_advantage(s_in, s_out, threshold=float(s_in.mean()))


def _tpr_yeom(attack_overfit):
    s_in = attack_overfit.member_scores
    return float((s_in >= s_in.mean()).mean())


def _flipped(attack_overfit):
    import numpy as np

    s_in, s_out = attack_overfit.member_scores, attack_overfit.nonmember_scores
    t = -float(s_in.mean())
    return float(np.mean(-s_in >= t) - np.mean(-s_out >= t))


q3 = ComputedValueProblem(
    id="privacy_attacks.q3",
    prompt=("Yeom et al.'s attack needs no shadow models and no search over thresholds: it calls "
            "a record a member when its loss is below the model's average training loss. From "
            "`attack_overfit` (scores = −loss), compute this attack's advantage TPR − FPR and "
            "store it in `yeom_advantage`."),
    variables=("yeom_advantage",),
    context=("attack_overfit",),
    hints=(
        "The attack fixes one threshold in advance, from the training data alone: no search.",
        "The scores are −loss, so \"loss below the average training loss\" is \"score at least "
        "the members' average score\"; the advantage is TPR − FPR at that one threshold.",
        "`membership_advantage(attack_overfit.member_scores, attack_overfit.nonmember_scores, "
        "threshold=...)` gives TPR − FPR at a threshold: pass the members' mean score.",
    ),
    solution_code="""\
s_in, s_out = attack_overfit.member_scores, attack_overfit.nonmember_scores
yeom_advantage = membership_advantage(s_in, s_out, threshold=s_in.mean())""",
    wrong_code=(
        "yeom_advantage = attack_overfit.advantage",
        """\
s_in = attack_overfit.member_scores
yeom_advantage = float((s_in >= s_in.mean()).mean())""",
        """\
s_in, s_out = attack_overfit.member_scores, attack_overfit.nonmember_scores
t = -s_in.mean()
yeom_advantage = float(np.mean(-s_in >= t) - np.mean(-s_out >= t))""",
        "yeom_advantage = [0.1, 0.2]",
    ),
    setup_code=_QY_SETUP,
    expected=_yeom,
    known_wrong=(
        (lambda attack_overfit: attack_overfit.advantage,
         "that is the advantage at the *best* threshold, chosen with the answers known; Yeom's "
         "attacker fixes the threshold at the average training loss without them."),
        (_tpr_yeom,
         "that is the TPR only (members caught); subtract the FPR, the share of non-members "
         "wrongly called members at the same threshold."),
        (_flipped,
         "check the sign: the scores are −loss, and a member has a *low* loss, so it is a "
         "member when its score is at least the threshold."),
    ),
    abs_tol=1e-6,
)


# -- q2: exposure from scores (implement the core) ----------------------------------------------
_Q2_SETUP = """\
import math

import numpy as np
"""


def _exposure_reference(scores, secret_index):
    """course_lib's exposure over a list of scores (the score function indexes the list)."""
    from course_lib.privacy import exposure

    arr = np.asarray(scores, dtype=float)
    return exposure(lambda idx: arr[idx], secret_index, len(arr))


_LOG2_3 = math.log2(3)
_RANDOM = [round(float(v), 6) for v in np.random.default_rng(0).normal(size=1000)]

q2 = FunctionProblem(
    id="privacy_attacks.q2",
    prompt=("Write `exposure_bits(scores, secret_index)`: the exposure of the candidate at "
            "`secret_index` among all candidates' `scores` (higher = more likely), "
            "log2(number of candidates) − log2(rank). Rank 1 is the highest score; a candidate "
            "tied with the secret counts half (rank = 1 + #higher + #tied others / 2)."),
    variables=("exposure_bits",),
    hints=(
        "Exposure counts how many candidates the model prefers to the secret, in bits: the "
        "fewer above it, the more the model has memorised.",
        "Count the scores strictly above the secret's, and the other scores equal to it; the "
        "rank is 1 + above + ties / 2, and the answer is log2(n) − log2(rank).",
        "With `s = np.asarray(scores)` and `t = s[secret_index]`: `above = (s > t).sum()`, "
        "`ties = (s == t).sum() - 1`, then `rank = 1 + above + ties / 2`; return "
        "`math.log2(len(s)) - math.log2(rank)`.",
    ),
    solution_code="""\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    t = s[secret_index]
    rank = 1 + (s > t).sum() + ((s == t).sum() - 1) / 2
    return math.log2(len(s)) - math.log2(rank)""",
    wrong_code=(
        """\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    rank = 1 + (s < s[secret_index]).sum()
    return math.log2(len(s)) - math.log2(rank)""",
        """\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    rank = 1 + (s > s[secret_index]).sum()
    return math.log2(len(s)) - math.log2(rank)""",
        """\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    rank = 1 + (s > s[secret_index]).sum() + ((s == s[secret_index]).sum() - 1) / 2
    return math.log(len(s)) - math.log(rank)""",
        """\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    return 1 + (s > s[secret_index]).sum() + ((s == s[secret_index]).sum() - 1) / 2""",
        """\
def exposure_bits(scores, secret_index):
    s = np.asarray(scores, dtype=float)
    rank = (s >= s[secret_index]).sum()
    return math.log2(len(s)) - math.log2(rank)""",
    ),
    setup_code=_Q2_SETUP,
    cases=(
        Case("the secret ranked 3rd of 8", ([0.1, 0.9, 0.5, 0.3, 0.8, 0.2, 0.05, 0.0], 2),
             mistakes=((3.0 - math.log2(6), "you ranked from the bottom: rank 1 is the HIGHEST "
                                            "score, the model's best guess."),
                       (math.log(8) - math.log(3), "that is in nats (natural log): exposure is "
                                                   "in bits, so use log2."),
                       (3.0, "that is the rank itself; exposure is log2(n) − log2(rank)."))),
        Case("the secret is the model's top guess", ([-1.0, -7.5, -3.2, -0.2], 3),
             mistakes=((0.0, "you ranked from the bottom: the top guess has rank 1 and the "
                             "largest exposure, log2(n)."),)),
        Case("the secret is the least likely", ([-1.0, -7.5, -3.2, -0.2], 1)),
        Case("the secret tied with one other candidate", ([0.5, 0.9, 0.5, 0.1], 0),
             mistakes=((1.0, "a tie was counted as below the secret: an equally likely "
                             "candidate counts half, rank = 1 + above + ties / 2."),
                       (2.0 - _LOG2_3, "a tie was counted as fully above the secret: it counts "
                                       "half, rank = 1 + above + ties / 2."))),
        Case("a single candidate", ([-2.0], 0),
             mistakes=((1.0, "with one candidate the rank is 1 and log2(1) − log2(1) = 0: "
                             "nothing to prefer the secret over."),)),
        Case("1,000 random log-likelihoods", (_RANDOM, 123)),
    ),
    reference=_exposure_reference,
    rel_tol=1e-9,
    abs_tol=1e-9,
)

# -- q4: reflection --------------------------------------------------------------------------------
q4 = ReflectionProblem(
    id="privacy_attacks.q4",
    prompt=("A hospital wants to offer a text-completion model trained on its patients' notes "
            "through a public API. Using what this notebook measured, which attacks should it "
            "expect, what makes them succeed, and what would you ask it to do and to measure "
            "before release? Write a few sentences in `answer_q4`."),
    variables=("answer_q4",),
    hints=(
        "Think of the API as the attacker's only door: what can someone learn through it?",
        "Go through the sections: what repeated, rare strings do (exposure), what the loss "
        "reveals about members, what confidence scores give away.",
        "For each attack, name what made it work (repetition, overfitting, full scores) and a "
        "defence you could measure against it (deduplication, regularisation or differential "
        "privacy, restricting the API's outputs), with the number you would report.",
    ),
    solution_code='''answer_q4 = """
    Expect extraction of memorised secrets: a string repeated in the notes (a PIN, an address)
    gets a high exposure and can be read off by ranking completions, even with a common
    lead-in. Expect membership inference: an overfit model has lower loss on its training
    patients, so an attacker can tell who was a patient; the advantage tracks the
    generalisation gap. With confidence scores, model inversion rebuilds what a class looks
    like. Before release I would ask them to deduplicate the notes and plant canaries to
    measure exposure, to regularise or train with differential privacy and report the
    membership advantage and the TPR at a low FPR, and to return labels only or rounded or
    noisy scores, with rate limits and audits of the API.
    """''',
    wrong_code=(
        'answer_q4 = "Privacy matters."',
        'answer_q4 = " ".join(["privacy attacks"] * 20)',
        "answer_q4 = 42",
    ),
    rubric=(
        Criterion("memorisation and extraction: repeated secrets get high exposure and can be "
                  "read off; measure with canaries"),
        Criterion("membership inference succeeds where the model overfits (generalisation "
                  "gap); report the advantage and TPR at low FPR"),
        Criterion("confidence scores enable model inversion; limit the API's outputs"),
        Criterion("defences measured against the attacks: deduplication, regularisation, "
                  "differential privacy"),
    ),
    discussion=("In pairs: each of you plays the hospital's engineer and the other an attacker "
                "with API access. Which single measurement would convince the attacker that the "
                "release is safe enough, and what would the engineer give up to get it?"),
)

register(q1, q2, q3, q4)
