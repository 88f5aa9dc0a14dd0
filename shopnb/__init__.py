"""shopnb: analytics workbench for short-video shops.

Modules:
    schema    canonical tables, header aliases
    errors    ShopDataError and data-quality notes
    load      one loader per table (files, folders, DataFrames)
    datasets  the bundled sample shop and its seeded generator
"""

from shopnb.errors import ShopDataError

__all__ = ["ShopDataError"]
__version__ = "0.1.0"
