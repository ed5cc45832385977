"""Deprecated: renamed :mod:`zhnerbench.document` in 1.5.0 (``model`` was ambiguous in a project
full of ML models). This alias keeps ``from zhnerbench.model import Span`` working, with a
:class:`DeprecationWarning`, until 2.0; write ``from zhnerbench import Span``.
"""

import warnings

from zhnerbench.document import *  # noqa: F403
from zhnerbench.document import __all__ as __all__

warnings.warn("zhnerbench.model is renamed zhnerbench.document; import Span from zhnerbench "
              "(`from zhnerbench import Span`)", DeprecationWarning, stacklevel=2)
