"""Altair chart builders (being split by topic)."""

from shopnb.charts.competitors import *  # noqa: F403
from shopnb.charts.competitors import __all__  # noqa: F401
