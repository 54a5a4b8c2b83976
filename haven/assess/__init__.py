"""The reasoning pipeline: a case, a date and a pack in; an explained recommendation out."""

from haven.assess.engine import assess
from haven.assess.model import Assessment

__all__ = ["Assessment", "assess"]
