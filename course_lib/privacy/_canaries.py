"""Canaries and exposure (Carlini et al. 2019, "The Secret Sharer").

Insert a secret such as "my pin is 4721" into the training text, train, then rank the secret's
likelihood among all |R| candidates of its format (every 4-digit PIN: |R| = 10⁴):
exposure = log2|R| − log2 rank. A model that never saw the secret ranks it at random
(exposure about 1 bit on average); one that memorised it ranks it first (exposure log2|R|). The
rank is exact: every candidate is scored, in chunks so memory stays small. Ties share the mean
rank, so a model that scores every candidate alike gets exposure ≈ 1, not log2|R|.

A fixed-context character MLP (``CharMLP``) is provided as the language model; any scorer works.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from course_lib._validate import check_int, rng_streams

__all__ = ["CharMLP", "make_vocab", "encode", "char_windows", "insert_canary",
           "deduplicate_lines", "digit_candidates", "sequence_log_likelihood", "exposure",
           "canary_exposure", "canary_exposures", "COURSE_CANARIES", "course_canaries",
           "plant_canaries",
           "RECORD_NAMES", "RECORD_SYMPTOMS", "medical_records"]


class CharMLP(nn.Module):
    """A character model: the previous ``context`` characters → Embedding → MLP → next-char logits.

    Inputs are character indices (N, context); floats holding whole numbers are accepted, so
    ``course_lib.models.train`` can train it.
    """

    def __init__(self, vocab_size: int, context: int = 8, embed_dim: int = 16,
                 hidden: int = 128):
        super().__init__()
        check_int(vocab_size, "vocab_size", 2)
        check_int(context, "context", 1)
        check_int(embed_dim, "embed_dim", 1)
        check_int(hidden, "hidden", 1)
        self.context = context
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(context * embed_dim, hidden), nn.ReLU(),
                                 nn.Linear(hidden, vocab_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.embed(x.long()))


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


def make_vocab(text: str) -> str:
    """The sorted distinct characters of ``text``, plus a space (the left padding character)."""
    return "".join(sorted(set(_check_text(text)) | {" "}))


def encode(text: str, vocab: str) -> np.ndarray:
    """Character indices of ``text`` in ``vocab`` (int64); an error names unknown characters."""
    _check_text(text)
    _check_text(vocab, "vocab")
    index = {c: i for i, c in enumerate(vocab)}
    unknown = sorted({c for c in text if c not in index})
    if unknown:
        raise ValueError(f"text has characters not in vocab: {unknown[:10]}")
    return np.array([index[c] for c in text], dtype=np.int64)


def char_windows(text: str, vocab: str, context: int) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs (previous ``context`` characters, next character), left-padded by spaces."""
    k = check_int(context, "context", 1)
    if " " not in _check_text(vocab, "vocab"):
        raise ValueError("vocab must contain a space (the padding character)")
    codes = encode(" " * k + _check_text(text), vocab)
    windows = np.lib.stride_tricks.sliding_window_view(codes[:-1], k)
    return windows.copy(), codes[k:].copy()


def insert_canary(lines: list[str], canary: str, repeats: int = 1, *,
                  random_state: int = 0) -> list[str]:
    """``lines`` with ``canary`` inserted ``repeats`` times at random positions."""
    if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
        raise TypeError("lines must be a list of str")
    _check_text(canary, "canary")
    r = check_int(repeats, "repeats", 0)
    rng = rng_streams(random_state, ("positions",))["positions"]
    out = list(lines)
    for _ in range(r):
        out.insert(int(rng.integers(0, len(out) + 1)), canary)
    return out


def deduplicate_lines(lines: list[str]) -> list[str]:
    """The defence: keep each distinct line once (its first occurrence), in order."""
    if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
        raise TypeError("lines must be a list of str")
    seen: set[str] = set()
    out = []
    for s in lines:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def digit_candidates(indices, digits: int = 4) -> list[str]:
    """Candidate secrets by index: index i ↦ i written with ``digits`` digits ("0042")."""
    d = check_int(digits, "digits", 1)
    idx = np.asarray(indices)
    if idx.size and idx.dtype.kind not in "iu":  # 1.5 would be written as "0001"
        raise ValueError(f"indices must be a 1-D array of integers in [0, 10**{d}), got dtype "
                         f"{idx.dtype}")
    if idx.ndim != 1 or (idx.size and (idx.min() < 0 or idx.max() >= 10 ** d)):
        raise ValueError(f"indices must be a 1-D array of integers in [0, 10**{d})")
    return [f"{int(i):0{d}d}" for i in idx]


@torch.no_grad()
def sequence_log_likelihood(model: nn.Module, prefix: str, candidates: list[str], vocab: str,
                            context: int | None = None) -> np.ndarray:
    """log P(candidate | prefix) = Σⱼ log p(cⱼ | previous ``context`` characters), per candidate.

    All candidates must have the same length. ``context`` defaults to ``model.context``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    k = check_int(getattr(model, "context", None) if context is None else context, "context", 1)
    _check_text(prefix, "prefix")
    _check_text(vocab, "vocab")
    if not candidates or len({len(c) for c in candidates}) != 1:
        raise ValueError("candidates must be a non-empty list of strings of one length")
    for name, chars in (("prefix", set(prefix)), ("candidates", set().union(*candidates))):
        unknown = sorted(chars - set(vocab))
        if unknown:
            raise ValueError(f"{name} has characters not in vocab: {unknown[:10]}")
    length = len(candidates[0])
    lead = encode(" " * k + prefix, vocab)  # the same for every candidate: encoded once
    tails = encode("".join(candidates), vocab).reshape(len(candidates), length)
    codes = np.hstack([np.broadcast_to(lead, (len(candidates), lead.size)), tails])  # (M, k+P+L)
    start = k + len(prefix)
    windows = np.stack([codes[:, start + j - k:start + j] for j in range(length)], axis=1)
    model.eval()
    logits = model(torch.from_numpy(windows.reshape(-1, k)))
    logp = torch.log_softmax(logits, dim=1).reshape(len(candidates), length, -1)
    nxt = torch.from_numpy(codes[:, start:])
    return logp.gather(2, nxt.unsqueeze(2)).squeeze(2).sum(1).double().numpy()


def exposure(score_fn: Callable[[np.ndarray], np.ndarray], secret_index: int,
             n_candidates: int, chunk_size: int = 2048) -> float:
    """Exposure = log2|R| − log2 rank of the secret among all |R| candidates (higher score first).

    ``score_fn`` maps an array of candidate indices to their scores (e.g. log-likelihoods);
    it is called on chunks of at most ``chunk_size`` indices. rank = 1 + #(scores above the
    secret's) + #(other candidates tied with it)/2.
    """
    n = check_int(n_candidates, "n_candidates", 1)
    s = check_int(secret_index, "secret_index", 0)
    if s >= n:
        raise ValueError(f"secret_index must be < n_candidates ({n}), got {s}")
    size = check_int(chunk_size, "chunk_size", 1)
    if not callable(score_fn):
        raise TypeError("score_fn must be callable (indices -> scores)")

    def scores(idx: np.ndarray) -> np.ndarray:
        out = np.asarray(score_fn(idx), dtype=float)
        if out.shape != idx.shape:
            raise ValueError(f"score_fn must return one score per index, got shape {out.shape} "
                             f"for {idx.shape}")
        return out

    # the secret is scored inside its own chunk (a batch of one may round differently)
    first = (s // size) * size
    chunk = scores(np.arange(first, min(first + size, n)))
    secret = chunk[s - first]
    above, ties = int((chunk > secret).sum()), int((chunk == secret).sum())
    for lo in range(0, n, size):
        if lo != first:
            chunk = scores(np.arange(lo, min(lo + size, n)))
            above += int((chunk > secret).sum())
            ties += int((chunk == secret).sum())
    rank = 1 + above + (ties - 1) / 2
    return math.log2(n) - math.log2(rank)


def _is_digits(secret: str) -> bool:
    """A non-empty string of ASCII digits 0-9 (``str.isdigit`` alone also accepts "²" or "٣")."""
    return secret.isdigit() and secret.isascii()


def canary_exposure(model: nn.Module, prefix: str, secret: str, vocab: str, *,
                    context: int | None = None, chunk_size: int = 2048) -> float:
    """Exposure of a digit secret (e.g. "4721") after ``prefix`` among all 10^len(secret) ones."""
    _check_text(secret, "secret")
    if not _is_digits(secret):
        raise ValueError(f"secret must be a string of digits, got {secret!r}")
    d = len(secret)

    def score_fn(idx: np.ndarray) -> np.ndarray:
        return sequence_log_likelihood(model, prefix, digit_candidates(idx, d), vocab, context)

    return exposure(score_fn, int(secret), 10 ** d, chunk_size)


def canary_exposures(model: nn.Module, canaries: dict, vocab: str, *,
                     context: int | None = None) -> dict[int, float | list[float]]:
    """``canary_exposure`` of every canary in ``canaries``: {copies: (prefix, secret)} gives
    {copies: bits}; {copies: [(prefix, secret), ...]} (``course_canaries``) gives
    {copies: [bits, ...]}, in order. Each secret must be a string of digits."""
    groups = _check_canaries(canaries)
    for copies, group in groups.items():
        for j, (_, secret) in enumerate(group):
            if not _is_digits(secret):
                raise ValueError(f"canaries[{copies!r}]{_where(canaries[copies], j)} secret must "
                                 f"be a string of digits, got {secret!r}")
    _check_text(vocab, "vocab")
    for copies, group in groups.items():
        for j, (prefix, secret) in enumerate(group):
            unknown = sorted(set(prefix + secret) - set(vocab))
            if unknown:
                raise ValueError(f"canaries[{copies!r}]{_where(canaries[copies], j)} has "
                                 f"characters not in vocab: {unknown[:10]}")
    out: dict[int, float | list[float]] = {}
    for copies, group in groups.items():
        bits = [canary_exposure(model, prefix, secret, vocab, context=context)
                for prefix, secret in group]
        out[copies] = bits[0] if _is_pair(canaries[copies]) else bits
    return out


#: The course's canaries ({copies planted: (prefix, secret PIN)}), each with its own lead-in in
#: the format of ``medical_records``; notebooks 07 and 08 plant and measure these.
COURSE_CANARIES = {1: ("cough; john's pin ", "4721"), 4: ("rash; mary's pin ", "0385"),
                   16: ("fever; omar's pin ", "9162"), 64: ("nausea; lena's pin ", "2750")}


def _is_pair(value: object) -> bool:
    """A (prefix, secret) pair of str."""
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(t, str) for t in value)


def _where(value: object, j: int) -> str:
    """"" for a single canary, "[j]" for the j-th canary of a group."""
    return "" if _is_pair(value) else f"[{j}]"


def _check_canaries(canaries: object) -> dict[int, list[tuple[str, str]]]:
    """{copies: [(prefix, secret), ...]}: each value a pair, or a non-empty list/tuple of pairs."""
    if not isinstance(canaries, dict) or not canaries:
        raise TypeError("canaries must be a non-empty dict {copies: (prefix, secret)} or "
                        "{copies: [(prefix, secret), ...]}")
    groups = {}
    for copies, value in canaries.items():
        check_int(copies, "canaries' keys (copies)", 0)
        if _is_pair(value):
            groups[copies] = [value]
        elif (isinstance(value, (list, tuple)) and value
              and all(_is_pair(pair) for pair in value)):
            groups[copies] = list(value)
        else:
            raise TypeError(f"canaries[{copies!r}] must be a (prefix, secret) pair of str or a "
                            f"non-empty list of such pairs, got {value!r}")
    return groups


def course_canaries(per_copy: int = 1) -> dict[int, tuple[tuple[str, str], ...]]:
    """``per_copy`` canaries for each copy count of ``COURSE_CANARIES`` (1, 4, 16 and 64).

    {copies: ((prefix, secret), ...)}; the first canary of each count is ``COURSE_CANARIES``'s.
    Every canary has its own name (a 12-character context sees the name, not the complaint, so
    two canaries sharing a name would share a lead-in): at most len(RECORD_NAMES) // 4 = 4 per
    count. The further secrets are fixed random PINs, all distinct.
    """
    counts = list(COURSE_CANARIES)
    most = len(RECORD_NAMES) // len(counts)
    k = check_int(per_copy, "per_copy", 1)
    if k > most:
        raise ValueError(f"per_copy must be at most {most} (one name per canary), got {k}")
    used = [name for prefix, _ in COURSE_CANARIES.values() for name in RECORD_NAMES
            if f"; {name}'s pin " in prefix]
    names = iter([n for n in RECORD_NAMES if n not in used])
    rng = rng_streams(0, ("canary secrets",))["canary secrets"]
    taken = {secret for _, secret in COURSE_CANARIES.values()}
    table = {copies: [COURSE_CANARIES[copies]] for copies in counts}
    for j in range(1, most):  # the full table, then the first k of each count: canary j of a
        for i, copies in enumerate(counts):  # count does not depend on per_copy
            while (secret := f"{int(rng.integers(0, 10_000)):04d}") in taken:
                pass
            taken.add(secret)
            symptom = RECORD_SYMPTOMS[(i + 2 * j) % len(RECORD_SYMPTOMS)]
            table[copies].append((f"{symptom}; {next(names)}'s pin ", secret))
    return {copies: tuple(group[:k]) for copies, group in table.items()}


def plant_canaries(lines: list[str], canaries: dict, *, random_state: int = 0) -> list[str]:
    """``lines`` with each canary's line "prefix + secret\\n" inserted ``copies`` times.

    ``canaries`` is {copies: (prefix, secret)} or {copies: [(prefix, secret), ...]}. The j-th
    canary of a count has its positions from ``insert_canary`` seeded with
    ``random_state + copies + 1000·j``.
    """
    seed = check_int(random_state, "random_state", 0)
    out = list(lines) if isinstance(lines, list) else lines  # insert_canary checks the type
    for copies, group in _check_canaries(canaries).items():
        for j, (prefix, secret) in enumerate(group):
            out = insert_canary(out, prefix + secret + "\n", copies,
                                random_state=seed + copies + 1000 * j)
    return out


#: First names and complaints of the synthetic patients in ``medical_records``.
RECORD_NAMES = ("john", "mary", "omar", "lena", "ann", "bob", "eve", "sam", "ravi", "kim",
                "ines", "tom", "yuki", "paul", "nora", "ali")
RECORD_SYMPTOMS = ("cough", "fever", "rash", "back pain", "headache", "fatigue", "chest pain",
                   "nausea")


def medical_records(n: int, *, random_state: int = 0) -> list[str]:
    """``n`` synthetic one-line records "<symptom>; <name>'s pin <4 random digits>\\n".

    Every name and symptom recurs in many records with different PINs, so a canary written in the
    same format has a common lead-in: only repeating the canary itself can make it stand out.
    """
    k = check_int(n, "n", 1)
    rng = rng_streams(random_state, ("records",))["records"]
    sym = rng.integers(0, len(RECORD_SYMPTOMS), k)
    who = rng.integers(0, len(RECORD_NAMES), k)
    pins = rng.integers(0, 10_000, k)
    return [f"{RECORD_SYMPTOMS[s]}; {RECORD_NAMES[w]}'s pin {p:04d}\n"
            for s, w, p in zip(sym, who, pins, strict=True)]
