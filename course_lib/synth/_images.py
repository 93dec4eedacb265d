"""Small stand-in images: faces-like pictures with subgroups, and X-ray-like scans with a marker.

Neither set depicts people. They exist so the course can reproduce two mechanisms offline, on a
CPU, in seconds: a subgroup that is rare in training is recognised worse (Gender Shades), and a
model learns a scanner's marker instead of the lesion (shortcut learning in medical imaging).
Images are float32 arrays of shape (N, 1, size, size) with values roughly in [0, 1].

Every random quantity comes from its own stream (a child of
``np.random.SeedSequence(random_state)``) and is drawn whatever the knobs are, so with the same
``random_state`` turning one knob leaves everything it does not name bit-identical.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course_lib._validate import check_int as _int
from course_lib._validate import check_real as _real
from course_lib._validate import rng_streams as _streams

__all__ = [
    "FACE_SUBGROUPS",
    "MARKER_BOX",
    "FaceImages",
    "ScanImages",
    "hide_marker",
    "make_faces",
    "make_scans",
]

SKINS: tuple[str, ...] = ("darker", "lighter")
GENDERS: tuple[str, ...] = ("female", "male")
FACE_SUBGROUPS: tuple[tuple[str, str], ...] = tuple((s, g) for s in SKINS for g in GENDERS)
MARKER_BOX = 7  # the scanner tag lives in the top-left MARKER_BOX × MARKER_BOX pixels

# Faces. Skin-like attribute: face brightness; gender-like attribute: the face's shape. The label
# is a mark drawn on the face whose look depends on the subgroup: its kind follows the skin (a
# dark bar on lighter faces, two light dots on darker faces) and its height follows the shape.
# Each subgroup thus shows the class its own way, equally visibly, and a model learns a
# subgroup's way mostly from that subgroup's training images.
_SKIN_TONE = {"darker": 0.38, "lighter": 0.78}
_TEXTURE = {"darker": 0.04, "lighter": 0.04}
_SHAPE = {"female": (0.50, 0.82), "male": (0.66, 0.70)}  # ellipse half-width, half-height
_CUE_Y = {"female": 0.50, "male": 0.05}  # cue height (y grows downwards, face centre at 0)
_CUE_SIGN = {"darker": 1.0, "lighter": -1.0}
_CUE_CONTRAST = 0.32
_BACKGROUND = 0.08
_FACE_STREAMS = ("order", "label", "geometry", "texture", "noise")

# Scans. A body outline with two darker lung fields over a smooth random texture; positives carry
# a small round lesion in a lung field; some images carry a bright "L"-shaped tag in a corner.
_SCAN_STREAMS = ("label", "marker", "texture", "lesion", "noise")





def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1]: (y, x), each of shape (size, size)."""
    c = (np.arange(size, dtype=np.float32) + 0.5) / size * 2 - 1
    return np.meshgrid(c, c, indexing="ij")


def _counts(shares: Mapping[tuple[str, str], float], n: int) -> np.ndarray:
    """Subgroup counts summing to n (largest remainders), in FACE_SUBGROUPS order."""
    if not isinstance(shares, Mapping):
        raise TypeError(f"shares must be a dict {{(skin, gender): share}}, got "
                        f"{type(shares).__name__}")
    unknown = [k for k in shares if k not in FACE_SUBGROUPS]
    if unknown:
        raise ValueError(f"shares has unknown subgroups {unknown}; use keys from "
                         f"{list(FACE_SUBGROUPS)}")
    w = np.array([_real(shares.get(k, 0.0), f"shares[{k!r}]", 0.0, 1.0)
                  for k in FACE_SUBGROUPS])
    if not math.isclose(w.sum(), 1.0, abs_tol=1e-6):
        raise ValueError(f"shares must sum to 1, got {w.sum():.6g}")
    exact = w * n
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


@dataclass(frozen=True)
class FaceImages:
    """Stand-in face images: ``images`` (N, 1, H, W) float32, ``label`` (N,) int64, and the
    two attributes ``skin`` ("darker"/"lighter") and ``gender`` ("female"/"male")."""

    images: np.ndarray
    label: np.ndarray
    skin: np.ndarray
    gender: np.ndarray

    @property
    def subgroup(self) -> np.ndarray:
        """The intersectional subgroup of each image, e.g. "darker female"."""
        return np.char.add(np.char.add(self.skin.astype(str), " "), self.gender.astype(str))

    def __len__(self) -> int:
        return len(self.label)


def make_faces(n: int = 2000, *, shares: Mapping[tuple[str, str], float] | None = None,
               noise: float = 0.1, image_size: int = 32, random_state: int = 0) -> FaceImages:
    """Faces-like images in 2×2 subgroups (skin × gender) for a binary task, label rate 1/2.

    - ``shares``: the share of each (skin, gender) subgroup, e.g.
      ``{("darker", "female"): 0.02, ...}``, summing to 1 (default: a quarter each). Counts are
      exact (largest remainders) and rows are shuffled. Only the subgroup mix changes: the
      label rate within every subgroup stays 1/2 and each subgroup's images look the same.
    - ``noise``: standard deviation of the Gaussian pixel noise added last.

    The label is shown by a small mark on the face: a dark bar on lighter faces, two light dots on
    darker faces, at a height set by the face's shape; class 0 has no mark.
    Every subgroup shows the class equally clearly, so any accuracy gap between subgroups comes
    from what the model saw in training.
    """
    return _faces(n, shares, noise, image_size, random_state, _CUE_CONTRAST)


def _faces(n: int, shares: Mapping[tuple[str, str], float] | None, noise: float,
           image_size: int, random_state: int, cue_contrast: float) -> FaceImages:
    """make_faces with the cue's contrast as a parameter (0: the same images without the cue)."""
    n = _int(n, "n", 1)
    size = _int(image_size, "image_size", 8)
    noise = _real(noise, "noise", 0.0, 1.0)
    counts = _counts({k: 0.25 for k in FACE_SUBGROUPS} if shares is None else shares, n)
    rng = _streams(random_state, _FACE_STREAMS)

    group_idx = np.repeat(np.arange(len(FACE_SUBGROUPS)), counts)
    group_idx = group_idx[rng["order"].permutation(n)]
    skin = np.array([FACE_SUBGROUPS[i][0] for i in group_idx])
    gender = np.array([FACE_SUBGROUPS[i][1] for i in group_idx])
    label = (rng["label"].random(n) < 0.5).astype(np.int64)

    geo = rng["geometry"]
    f32 = np.float32
    cx, cy = geo.uniform(-0.06, 0.06, n).astype(f32), geo.uniform(-0.06, 0.06, n).astype(f32)
    scale = geo.uniform(0.92, 1.08, n).astype(f32)
    tone_jitter = geo.normal(0.0, 0.04, n).astype(f32)
    cue_dx = geo.uniform(-0.08, 0.08, n).astype(f32)
    cue_dy = geo.uniform(-0.05, 0.05, n).astype(f32)
    texture = rng["texture"].standard_normal((n, size, size)).astype(np.float32)
    pixel_noise = rng["noise"].standard_normal((n, size, size)).astype(np.float32)

    yy, xx = _grid(size)
    half_w = np.array([_SHAPE[g][0] for g in gender], dtype=f32) * scale
    half_h = np.array([_SHAPE[g][1] for g in gender], dtype=f32) * scale
    dx = (xx[None] - cx[:, None, None]) / half_w[:, None, None]
    dy = (yy[None] - cy[:, None, None]) / half_h[:, None, None]
    face = (dx ** 2 + dy ** 2 <= 1.0).astype(np.float32)
    tone = np.array([_SKIN_TONE[s] for s in skin], dtype=f32) + tone_jitter
    tex_amp = np.array([_TEXTURE[s] for s in skin], dtype=f32)
    img = f32(_BACKGROUND) + face * (tone - f32(_BACKGROUND))[:, None, None]
    img = img + face * tex_amp[:, None, None] * texture
    # eyes: two dark spots on every face
    for ex in (-0.35, 0.35):
        eye = ((dx - ex) ** 2 + (dy + 0.25) ** 2) <= 0.12 ** 2
        img = np.where(eye, img - f32(0.22), img)
    # the label's cue: a dark bar on lighter faces, two light dots on darker faces, at a height
    # set by the face's shape
    bar_y = (np.array([_CUE_Y[g] for g in gender], dtype=f32) + cue_dy) * half_h + cy
    bar_x = cue_dx * half_w + cx
    ddx = xx[None] - bar_x[:, None, None]
    ddy = yy[None] - bar_y[:, None, None]
    sc = scale[:, None, None]
    bar = (np.abs(ddx) <= 0.26 * sc) & (np.abs(ddy) <= 0.07 * sc)
    dots = (np.minimum((ddx - 0.2 * sc) ** 2, (ddx + 0.2 * sc) ** 2) + ddy ** 2) <= (0.11 * sc) ** 2
    darker = (skin == "darker")[:, None, None]
    cue = np.where(darker, dots, bar) & (label[:, None, None] == 1)
    sign = np.array([_CUE_SIGN[s] for s in skin], dtype=f32)[:, None, None]
    img = img + cue * sign * f32(cue_contrast)
    img = img + f32(noise) * pixel_noise
    return FaceImages(img[:, None].astype(np.float32), label, skin, gender)


@dataclass(frozen=True)
class ScanImages:
    """Stand-in scans: ``images`` (N, 1, H, W) float32, ``label`` (N,) int64 (1 = lesion) and
    ``marker`` (N,) bool (the scanner tag is in the top-left corner)."""

    images: np.ndarray
    label: np.ndarray
    marker: np.ndarray

    def __len__(self) -> int:
        return len(self.label)


def _smooth(field: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian low-pass of a batch of square fields (periodic, via the FFT), rescaled to sd 1."""
    size = field.shape[-1]
    f = np.fft.fftfreq(size).astype(np.float32)
    kernel = np.exp(-2 * (np.pi * sigma) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    out = np.fft.ifft2(np.fft.fft2(field) * kernel.astype(np.float32)).real
    out /= out.std(axis=(-2, -1), keepdims=True) + 1e-12
    return out.astype(np.float32)


def make_scans(n: int = 2000, *, prevalence: float = 0.5, marker_rate_pos: float = 0.0,
               marker_rate_neg: float = 0.0, lesion_contrast: float = 0.3,
               noise: float = 0.05, image_size: int = 32, random_state: int = 0) -> ScanImages:
    """X-ray-like scans; positives carry a small round lesion in a lung field.

    - ``prevalence``: P(label = 1).
    - ``marker_rate_pos`` / ``marker_rate_neg``: P(scanner tag | label = 1) and
      P(tag | label = 0), a hospital's habit that ties the tag to the label (equal rates: no
      tie; 0 and 0: a hospital whose scanner prints no tag). They change only ``marker`` and the
      tag's pixels.
    - ``lesion_contrast``: how much brighter the lesion is than the tissue around it.
    - ``noise``: standard deviation of the Gaussian pixel noise added last.
    """
    n = _int(n, "n", 1)
    size = _int(image_size, "image_size", MARKER_BOX + 9)
    prevalence = _real(prevalence, "prevalence", 0.0, 1.0)
    rate_pos = _real(marker_rate_pos, "marker_rate_pos", 0.0, 1.0)
    rate_neg = _real(marker_rate_neg, "marker_rate_neg", 0.0, 1.0)
    contrast = _real(lesion_contrast, "lesion_contrast", 0.0, 1.0)
    noise = _real(noise, "noise", 0.0, 1.0)
    rng = _streams(random_state, _SCAN_STREAMS)

    label = (rng["label"].random(n) < prevalence).astype(np.int64)
    u = rng["marker"].random(n)
    marker = np.where(label == 1, u < rate_pos, u < rate_neg)
    f32 = np.float32
    texture = _smooth(rng["texture"].standard_normal((n, size, size), dtype=f32), sigma=1.6)
    les = rng["lesion"]
    side = les.choice([-1.0, 1.0], n)
    ly = les.uniform(-0.35, 0.35, n).astype(f32)
    lx = (side * les.uniform(0.25, 0.5, n)).astype(f32)
    radius = les.uniform(0.09, 0.13, n).astype(f32)
    pixel_noise = rng["noise"].standard_normal((n, size, size)).astype(np.float32)

    yy, xx = _grid(size)
    body = ((xx / 0.88) ** 2 + (yy / 0.95) ** 2 <= 1.0).astype(np.float32)
    lungs = sum((((xx - s * 0.38) / 0.28) ** 2 + (yy / 0.62) ** 2 <= 1.0) for s in (-1, 1))
    lungs = lungs.astype(np.float32)
    base = 0.05 + 0.5 * body - 0.22 * lungs
    img = base[None] + 0.06 * texture * body[None]
    r2 = (yy[None] - ly[:, None, None]) ** 2 + (xx[None] - lx[:, None, None]) ** 2
    lesion = np.exp(-r2 / (2 * radius[:, None, None] ** 2)).astype(np.float32)
    img = img + f32(contrast) * lesion * (label == 1)[:, None, None]
    tag = np.zeros((size, size), dtype=np.float32)  # an "L": a vertical and a horizontal stroke
    tag[1:6, 1:3] = 1.0
    tag[4:6, 1:6] = 1.0
    img = np.where((tag > 0)[None] & marker[:, None, None], 0.95, img)
    img = img + f32(noise) * pixel_noise
    return ScanImages(img[:, None].astype(np.float32), label, marker.astype(bool))


def hide_marker(images: np.ndarray) -> np.ndarray:
    """A copy of ``images`` (N, 1, H, W) with the corner box that can hold the tag set to 0.05,
    the background level: the shortcut removed, for every image alike."""
    arr = np.asarray(images)
    if arr.ndim != 4 or min(arr.shape[-2:]) < MARKER_BOX:
        raise ValueError(f"images must have shape (N, C, H, W) with H, W >= {MARKER_BOX}, "
                         f"got {arr.shape}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"images must hold numbers, got dtype {arr.dtype}")
    if not np.isfinite(arr).all():
        raise ValueError("images contains NaN or infinite values")
    out = arr.astype(np.float32, copy=True)
    out[..., :MARKER_BOX, :MARKER_BOX] = 0.05
    return out
