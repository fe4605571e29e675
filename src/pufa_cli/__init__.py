"""pufa: track a district's annual rule-of-law publicity work plan."""

__version__ = "0.1.0"
