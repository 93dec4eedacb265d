"""Fairness metrics, computed the way a learner would by hand, and checked against fairlearn.

``group_report`` is the course's workhorse: one row per group with the confusion-matrix rates
(optionally intersectional, with bootstrap intervals and gaps to a reference group). Each
fairness definition is one function with its formula in the docstring; ``proxy_strength``
audits which features carry a protected attribute.
"""

from course_lib.fairness import _calibration, _definitions, _explore, _group, _individual, _proxies
from course_lib.fairness._calibration import *  # noqa: F403
from course_lib.fairness._definitions import *  # noqa: F403
from course_lib.fairness._explore import *  # noqa: F403
from course_lib.fairness._group import *  # noqa: F403
from course_lib.fairness._individual import *  # noqa: F403
from course_lib.fairness._proxies import *  # noqa: F403

__all__ = sorted(_group.__all__ + _definitions.__all__ + _calibration.__all__
                 + _individual.__all__ + _proxies.__all__ + _explore.__all__)
