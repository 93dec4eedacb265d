"""Reporting: the numbers people are affected by, and the documents of accountability.

Model cards (Mitchell et al., 2019) from measured results, datasheets (Gebru et al., 2021), the
course's Responsible AI checklist, regulation as data (EU AI Act, GDPR Art. 22, NIST AI RMF, as
of ``AS_OF``) and human review of uncertain decisions. Public names live in private modules and
are re-exported here.
"""

from course_lib.reporting import (
    _checklist,
    _datasheet,
    _explore,
    _explore_audit,
    _harm,
    _modelcard,
    _oversight,
    _regulation,
)
from course_lib.reporting._checklist import *  # noqa: F403
from course_lib.reporting._datasheet import *  # noqa: F403
from course_lib.reporting._explore import *  # noqa: F403
from course_lib.reporting._explore_audit import *  # noqa: F403
from course_lib.reporting._harm import *  # noqa: F403
from course_lib.reporting._modelcard import *  # noqa: F403
from course_lib.reporting._oversight import *  # noqa: F403
from course_lib.reporting._regulation import *  # noqa: F403

__all__ = sorted(_harm.__all__ + _modelcard.__all__ + _datasheet.__all__ + _checklist.__all__
                 + _regulation.__all__ + _oversight.__all__ + _explore.__all__
                 + _explore_audit.__all__)
