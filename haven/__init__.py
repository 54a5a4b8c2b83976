"""Haven: policy-as-code decision support for asylum case work.

Haven recommends; it never decides. Every finding cites the policy and the source behind it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
