"""Stand-in handwritten digits: the digits 0-9 rendered from the fonts matplotlib ships, then
randomly rotated, scaled, sheared, shifted, thickened or thinned and elastically distorted.

MNIST cannot be downloaded offline, so the course renders its own 28×28 digits: they look like
centred, greyscale handwriting closely enough for a small CNN and its explanations, and they
need nothing but matplotlib's bundled fonts, Pillow and torch. Each (font, digit) template is
drawn once at high resolution; the per-image distortions are applied in one batch with
``affine_grid``/``grid_sample`` (10,000 images take about a second).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from course_lib._validate import check_int as _int

__all__ = ["DIGIT_FONTS", "DigitImages", "make_digits"]

# matplotlib's bundled TrueType fonts whose digits are ordinary numerals
DIGIT_FONTS: tuple[str, ...] = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
    "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic",
    "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique",
    "STIXGeneral", "STIXGeneralBol", "STIXGeneralItalic", "STIXGeneralBolIta",
    "cmr10", "cmss10", "cmtt10", "cmb10",
)
_TEMPLATE = 64  # side of the rendered templates, in pixels
_GLYPH_HEIGHT = 0.62  # a digit's height as a fraction of the template (MNIST: 20 of 28 pixels)


@dataclass(frozen=True)
class DigitImages:
    """Stand-in digits: ``images`` (N, 1, S, S) float32 in [0, 1] (ink bright on black),
    ``label`` (N,) int64 in 0..9 and ``font`` (N,) the font each digit was rendered from."""

    images: np.ndarray
    label: np.ndarray
    font: np.ndarray

    def __len__(self) -> int:
        return len(self.label)


@functools.lru_cache(maxsize=1)
def _templates():
    """(3, len(DIGIT_FONTS) * 10, 1, T, T) float32 tensor: stroke thinned / as drawn /
    thickened, then font-major, digit-minor; each glyph centred by its bounding box."""
    import matplotlib
    import torch
    from PIL import Image, ImageDraw, ImageFont

    folder = f"{matplotlib.get_data_path()}/fonts/ttf"
    out = np.zeros((len(DIGIT_FONTS) * 10, 1, _TEMPLATE, _TEMPLATE), dtype=np.float32)
    for f, name in enumerate(DIGIT_FONTS):
        font = ImageFont.truetype(f"{folder}/{name}.ttf", size=_TEMPLATE)
        for d in range(10):
            canvas = Image.new("L", (2 * _TEMPLATE, 2 * _TEMPLATE), 0)
            ImageDraw.Draw(canvas).text((_TEMPLATE // 2, _TEMPLATE // 4), str(d), fill=255,
                                        font=font)
            arr = np.asarray(canvas, dtype=np.float32) / 255.0
            rows, cols = np.nonzero(arr > 0.05)
            glyph = arr[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
            # scale the glyph to a fixed height (width follows, capped), centre by its box
            h, w = glyph.shape
            scale = min(_GLYPH_HEIGHT * _TEMPLATE / h, 0.8 * _TEMPLATE / w)
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            img = Image.fromarray((glyph * 255).astype(np.uint8)).resize(
                size, Image.Resampling.LANCZOS)
            small = np.asarray(img, dtype=np.float32) / 255.0
            top, left = (_TEMPLATE - small.shape[0]) // 2, (_TEMPLATE - small.shape[1]) // 2
            out[f * 10 + d, 0, top:top + small.shape[0], left:left + small.shape[1]] = small
    drawn = torch.from_numpy(out).clamp(0.0, 1.0)
    import torch.nn.functional as F

    thin = -F.max_pool2d(-drawn, 3, stride=1, padding=1)
    thick = F.max_pool2d(drawn, 3, stride=1, padding=1)
    return torch.stack([thin, drawn, thick])


def make_digits(n: int = 10_000, image_size: int = 28, random_state: int = 0) -> DigitImages:
    """``n`` rendered stand-in digits, a tenth of each class (rows shuffled).

    Per image: a random font, rotation (±15°), scale (0.85-1.15), shear (±0.3), shift (±2 pixels
    at 28×28), stroke thinning or thickening, a smooth elastic displacement and an ink intensity
    (0.75-1). Deterministic given ``random_state`` (a private torch generator).
    """
    import torch
    import torch.nn.functional as F

    n = _int(n, "n", 1)
    size = _int(image_size, "image_size", 8)
    seed = _int(random_state, "random_state", 0)
    gen = torch.Generator().manual_seed(seed)
    templates = _templates()

    label = torch.arange(n) % 10
    label = label[torch.randperm(n, generator=gen)]
    font = torch.randint(0, len(DIGIT_FONTS), (n,), generator=gen)

    def uniform(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(n, generator=gen)

    angle = uniform(-15, 15) * torch.pi / 180
    scale = uniform(0.85, 1.15)
    shear = uniform(-0.3, 0.3)
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * (4.0 / 28)  # ±2 pixels of 28
    thickness = torch.randint(0, 3, (n,), generator=gen)  # 0 thinner, 1 as drawn, 2 thicker
    elastic = torch.randn(n, 2, 4, 4, generator=gen) * 0.035
    ink = uniform(0.75, 1.0)

    # output → template coordinates: inverse of (rotate · shear · scale), then shift
    cos, sin = torch.cos(angle), torch.sin(angle)
    rot = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)
    shr = torch.eye(2).repeat(n, 1, 1)
    shr[:, 0, 1] = shear
    forward = rot @ shr * scale[:, None, None]
    theta = torch.cat([torch.linalg.inv(forward), -shift[:, :, None]], dim=2)  # (n, 2, 3)
    hi_res = 2 * size
    c = (torch.arange(hi_res, dtype=torch.float32) + 0.5) / hi_res * 2 - 1  # pixel centres
    yy, xx = torch.meshgrid(c, c, indexing="ij")
    base = torch.stack([xx, yy, torch.ones_like(xx)], dim=-1).reshape(1, -1, 3)
    # the elastic field: a 4×4 random grid interpolated (separably, linearly) to full size
    interp = F.interpolate(torch.eye(4)[:, None], size=hi_res, mode="linear",
                           align_corners=True)[:, 0].T  # (hi_res, 4)

    images = torch.empty(n, 1, size, size)
    for start in range(0, n, 2048):  # bounded memory
        sl = slice(start, start + 2048)
        m = theta[sl].shape[0]
        grid = (base @ theta[sl].transpose(1, 2)).reshape(m, hi_res, hi_res, 2)
        warp = torch.einsum("ij,ncjk,lk->nilc", interp, elastic[sl], interp)
        src = templates[thickness[sl], font[sl] * 10 + label[sl]]
        img = F.grid_sample(src, grid + warp, mode="bilinear", padding_mode="zeros",
                            align_corners=False)
        img = F.avg_pool2d(img, 2) * ink[sl].view(-1, 1, 1, 1)
        images[sl] = img.clamp(0.0, 1.0)
    names = np.array(DIGIT_FONTS)[font.numpy()]
    return DigitImages(images.numpy(), label.numpy().astype(np.int64), names)
