"""The course's one warnings policy.

We fix the warnings our own code causes. A third-party warning we cannot fix is filtered here, and
only here, by its exact message (and the module that raises it), each with the reason it is safe to
hide. Nothing else is silenced: any other warning reaches the notebook, where nbval and nbaudit
catch it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Filter:
    """One filtered third-party warning: its exact message start, category, module and reason."""

    message: str
    category: type[Warning]
    module: str
    reason: str

    def regex(self) -> str:
        """The message as a regular expression anchored at its start (how ``warnings`` matches)."""
        return re.escape(self.message)


POLICY: tuple[Filter, ...] = (
    Filter(
        message=(
            "Secure RNG turned off. This is perfectly fine for experimentation as it allows "
            "for much faster training performance, but remember to turn it on and retrain "
            "one last time before production with ``secure_mode`` turned on."
        ),
        category=UserWarning,
        module=r"opacus\.privacy_engine",
        reason=(
            "Opacus warns on every PrivacyEngine made without secure_mode. The course says in "
            "prose why secure RNG matters in production; the warning itself prints the machine's "
            "install path, which differs between machines and breaks nbval's output comparison."
        ),
    ),
    Filter(
        message=("Setting a value on a Series via .at with a key that does not exist in the "
                 "index is deprecated"),
        category=Warning,
        module=r"fairlearn\.",
        reason=(
            "fairlearn 0.15's reductions (ExponentiatedGradient) grow a Series with .at; pandas 3 "
            "warns that this will become an error in pandas 4. The results are unaffected and "
            "the fix belongs in fairlearn; only this message, raised from fairlearn's code, is "
            "hidden."
        ),
    ),
    Filter(
        message="Setting an item of incompatible dtype is deprecated",
        category=Warning,
        module=r"fairlearn\.",
        reason=(
            "fairlearn 0.15's reductions store booleans in a float Series; pandas 3 warns that "
            "this will become an error. The results are unaffected; only this message, raised "
            "from fairlearn's code, is hidden."
        ),
    ),
    *(Filter(
        message=f"The {setter} function will be deprecated in a future version.",
        category=PendingDeprecationWarning,
        module=r"shap\.plots\.colors\._colors",
        reason=(
            "shap 0.51 builds its colour maps at import time with Colormap.set_bad, set_over and "
            "set_under, which matplotlib 3.11 marks as pending deprecation; every `import shap` "
            "raises the three. The colour maps are unaffected (the course passes its own), and "
            "the fix belongs in shap; only these messages, from shap's colour module, are hidden."
        ),
    ) for setter in ("set_bad", "set_over", "set_under")),
)


#: Filters applied only around one call of the course's (``with scoped(name):``), because the same
#: warning is worth seeing everywhere else.
SCOPED: dict[str, Filter] = {
    "prv-domain": Filter(
        message="Optimal order is the",
        category=UserWarning,
        module=r"opacus\.accountants\.analysis\.rdp",
        reason=(
            "Opacus's PRVAccountant sizes its truncation domain with an RDP bound and warns when "
            "that bound's best order is at the end of its range; the domain is then only larger "
            "than needed and the PRV epsilon is unaffected. Hidden only inside "
            "privacy.dp_epsilon(accountant='prv'): from Opacus's RDPAccountant itself the warning "
            "(a loose epsilon) stays visible."
        ),
    ),
}


@contextmanager
def scoped(name: str) -> Iterator[None]:
    """Hide the one warning ``SCOPED[name]`` describes while the block runs."""
    f = SCOPED[name]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=f.regex(), category=f.category, module=f.module)
        yield


def install() -> None:
    """Add the policy's filters to the warnings filters (idempotent: ``warnings`` dedupes)."""
    for f in POLICY:
        warnings.filterwarnings("ignore", message=f.regex(), category=f.category, module=f.module)
