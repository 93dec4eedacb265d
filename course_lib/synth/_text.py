"""A synthetic résumé corpus whose historical hiring labels penalise the word "women's".

A stand-in for the recruiting tool Amazon scrapped in 2018, which learned from ten years of its
own hiring decisions to downgrade résumés that mentioned "women's" (as in "women's chess club
captain") and graduates of two all-women's colleges. No real résumé is used: texts are assembled
from short phrases, and the label is written by a rule with explicit knobs.

Every random quantity comes from its own stream (a child of
``np.random.SeedSequence(random_state)``) and is drawn whatever the knobs are, so with the same
``random_state`` turning one knob leaves everything it does not name bit-identical.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from course_lib._validate import check_int as _int
from course_lib._validate import check_real as _real
from course_lib._validate import rng_streams as _streams

__all__ = ["RESUME_PROXIES", "make_resumes"]

# Job-relevant phrases; a stronger candidate lists more of them (P = sigmoid(skill + offset)).
_SKILLS: tuple[tuple[str, float], ...] = (
    ("python", 0.5), ("java", 0.0), ("sql", 0.3), ("distributed systems", -0.8),
    ("machine learning", -0.6), ("shipped production code", -0.4), ("led a team of five", -1.0),
    ("patent", -1.5), ("open source maintainer", -1.2), ("kubernetes", -0.7),
    ("code review", 0.2), ("unit testing", 0.4),
)
# Filler every résumé draws from, unrelated to the job and to gender.
_FILLER: tuple[str, ...] = (
    "software engineer", "bachelor of science", "computer science", "internship",
    "hackathon", "volunteer", "team player", "fast learner", "project", "experience",
)
# 80% of résumés name a club; in a woman's résumé it may be the "women's" club.
_CLUBS: tuple[str, ...] = ("chess club captain", "soccer team", "coding society",
                           "debate club", "robotics team")
_NEUTRAL_ACTIVITIES: tuple[str, ...] = ("hiking", "photography", "marathon running", "choir")
# Proxies of gender that never say "women's": colleges and activities.
_COLLEGES_FEMALE: tuple[str, ...] = ("wellesley college", "smith college", "barnard college",
                                     "bryn mawr college", "spelman college")
_COLLEGES_NEUTRAL: tuple[str, ...] = ("state university", "city college", "tech institute")
_ACTIVITIES_FEMALE: tuple[str, ...] = ("softball", "netball", "sorority", "cheerleading")
_ACTIVITIES_MALE: tuple[str, ...] = ("football", "fraternity", "rugby", "wrestling")
RESUME_PROXIES: tuple[str, ...] = (
    *_COLLEGES_FEMALE, *_ACTIVITIES_FEMALE, *_ACTIVITIES_MALE)

_P_WOMEN = 0.5  # share of résumés written by women
_P_WOMENS = 0.75  # P(a woman's club is a "women's" club): 60% of women's résumés say "women's"
_SKILL_WEIGHT = 1.6  # historical decision: logit = 1.6·skill − penalty·mentions + ε
_STREAMS = ("gender", "skill", "skills_listed", "filler", "club", "college", "activity",
            "proxy_switch", "order", "decision")




def make_resumes(n: int = 2000, *, penalty: float = 2.0, proxy_strength: float = 0.8,
                 random_state: int = 0) -> pd.DataFrame:
    """Résumés with a gender, a latent skill and a historical hiring decision.

    Columns: ``text`` (phrases joined by ", "), ``gender`` ("female"/"male", half each in
    expectation), ``skill`` (standard normal, the same in both genders), ``mentions_womens``
    (the text contains "women's") and ``hired`` (0/1), the historical decision:
    hired = 1 when 1.6·skill − penalty·mentions_womens + ε > 0, ε standard logistic.

    - ``penalty``: how strongly past decisions held "women's" against a résumé (0: not at all).
      It changes only ``hired``.
    - ``proxy_strength``: P(a résumé's college and its second activity, each listed in 80% of
      résumés, are drawn from its gender's list: women's colleges and "female-coded" sports for
      women, "male-coded" sports for men); otherwise both are neutral. It changes only the
      college and activity phrases.

    Only women's résumés can mention "women's" (60% of them do); every other phrase, and skill,
    has the same distribution for both genders apart from the proxies.
    """
    import pandas as pd

    n = _int(n, "n", 1)
    penalty = _real(penalty, "penalty", 0.0, 20.0)
    proxy_strength = _real(proxy_strength, "proxy_strength", 0.0, 1.0)
    seed = _int(random_state, "random_state", 0)
    rng = _streams(seed, _STREAMS)

    female = rng["gender"].random(n) < _P_WOMEN
    skill = rng["skill"].standard_normal(n)
    offsets = np.array([o for _, o in _SKILLS])
    listed = rng["skills_listed"].random((n, len(_SKILLS))) < 1 / (
        1 + np.exp(-(skill[:, None] + offsets[None])))
    filler = rng["filler"].random((n, len(_FILLER))) < 0.35
    has_club = rng["club"].random(n) < 0.8
    club_u = rng["club"].random(n)
    club_pick = rng["club"].integers(0, len(_CLUBS), n)
    mentions = female & has_club & (club_u < _P_WOMENS)
    has_college = rng["college"].random(n) < 0.8
    has_activity = rng["activity"].random(n) < 0.8
    college_f = rng["college"].integers(0, len(_COLLEGES_FEMALE), n)
    college_n = rng["college"].integers(0, len(_COLLEGES_NEUTRAL), n)
    act_f = rng["activity"].integers(0, len(_ACTIVITIES_FEMALE), n)
    act_m = rng["activity"].integers(0, len(_ACTIVITIES_MALE), n)
    act_n = rng["activity"].integers(0, len(_NEUTRAL_ACTIVITIES), n)
    gendered_college = rng["proxy_switch"].random(n) < proxy_strength
    gendered_activity = rng["proxy_switch"].random(n) < proxy_strength
    order = rng["order"].random((n, len(_SKILLS) + len(_FILLER) + 3))
    eps = rng["decision"].logistic(size=n)

    texts = []
    for i in range(n):
        phrases = [p for (p, _), keep in zip(_SKILLS, listed[i], strict=True) if keep]
        phrases += [p for p, keep in zip(_FILLER, filler[i], strict=True) if keep]
        if has_club[i]:
            club = _CLUBS[club_pick[i]]
            phrases.append(f"women's {club}" if mentions[i] else club)
        if has_college[i] and gendered_college[i] and female[i]:
            phrases.append(_COLLEGES_FEMALE[college_f[i]])
        elif has_college[i]:
            phrases.append(_COLLEGES_NEUTRAL[college_n[i]])
        if has_activity[i] and gendered_activity[i]:
            phrases.append(_ACTIVITIES_FEMALE[act_f[i]] if female[i]
                           else _ACTIVITIES_MALE[act_m[i]])
        elif has_activity[i]:
            phrases.append(_NEUTRAL_ACTIVITIES[act_n[i]])
        keys = order[i, : len(phrases)]
        texts.append(", ".join(phrases[j] for j in np.argsort(keys, kind="stable")))

    logit = _SKILL_WEIGHT * skill - penalty * mentions
    hired = (logit + eps > 0).astype(np.int64)
    return pd.DataFrame({
        "text": texts,
        "gender": np.where(female, "female", "male"),
        "skill": skill,
        "mentions_womens": mentions,
        "hired": hired,
    })
