"""The bundled sample files load back to exactly what the generator made."""

from __future__ import annotations

import pandas as pd
import pytest

import shopnb as sn
from shopnb.datasets import make_shop_data

KEYS = {
    "funnel": ["date", "product_id", "carrier", "channel", "format"],
    "live_rooms": ["date", "creator"],
    "videos": ["video_id", "date"],
    "competitors": ["date", "shop", "product"],
    "experiments": ["experiment", "variant", "date", "user_id"],
    "events": ["user_id", "ts", "event", "item_id", "channel", "carrier"],
    "orders": ["order_id"],
}
NOT_EXPORTED = {"live_rooms": {"clicks_times"}}  # the live overview has no 商品点击次数


@pytest.fixture(scope="module")
def shop():
    return make_shop_data(seed=7)


@pytest.mark.parametrize("name", list(KEYS))
def test_files_give_back_the_generated_tables(shop, name: str) -> None:
    made = getattr(shop, name)
    loaded = sn.load_sample(name)
    assert loaded.attrs["issues"] == []
    columns = [c for c in made.columns if c in loaded.columns]
    missing = set(made.columns) - set(loaded.columns) - NOT_EXPORTED.get(name, set())
    assert not missing, f"columns lost on the way through the export files: {missing}"
    key = [k for k in KEYS[name] if k in columns]
    a = made[columns].sort_values(key).reset_index(drop=True)
    b = loaded[columns].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-6,
                                  atol=0.006)  # money is exported with two decimals


def test_canonical_dtypes(shop) -> None:
    funnel = sn.load_sample("funnel")
    assert str(funnel["clicks"].dtype) == "Int64"
    assert str(funnel["date"].dtype) == "datetime64[us]"
    assert funnel["format"].isna().sum() == 0


def test_unknown_sample_name() -> None:
    with pytest.raises(sn.ShopDataError, match="choose one of funnel"):
        sn.load_sample("nope")


@pytest.mark.parametrize(("old", "new"), [("experiment", "experiments"), ("live", "live_rooms")])
def test_old_sample_names_still_work_with_a_warning(old: str, new: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"use '{new}'"):
        table = sn.load_sample(old)
    pd.testing.assert_frame_equal(table, sn.load_sample(new))


def test_every_sample_table_is_a_schema_table_with_its_loader() -> None:
    from shopnb.datasets import LOADERS, SAMPLE_FILES
    from shopnb.schema import TABLES

    assert list(SAMPLE_FILES) == list(LOADERS) and set(LOADERS) == set(TABLES)
    for name, loader in LOADERS.items():
        assert loader is getattr(sn, f"load_{name}")


def test_load_sample_returns_copies() -> None:
    first = sn.load_sample("orders")
    first["amount"] = 0
    assert sn.load_sample("orders")["amount"].sum() > 0


def test_dir_lists_the_lazy_experiments_module() -> None:
    assert "experiments" in dir(sn) and "load_experiments" in dir(sn)


def test_an_unknown_table_is_a_shop_data_error_everywhere() -> None:
    from shopnb.datasets import LOADERS

    with pytest.raises(sn.ShopDataError, match="no table 'nope'"):
        LOADERS["nope"]
    with pytest.raises(sn.ShopDataError, match="no table 'nope'"):
        sn.store.table("nope")
