"""The loaders on real public files from ../shared/realdata (see its README.md).

Every figure checked here is recomputed from the same file with plain pandas,
except the ones REFERENCE_RESULTS.md (or the realdata README) publishes, which
are quoted with a comment naming their source. A clone without ../shared skips
the whole module.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from shopnb.errors import ShopDataError
from shopnb.load import (
    load_competitors,
    load_events,
    load_experiments,
    load_funnel,
    load_orders,
)

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.is_dir(),
                       reason=f"real public data not found at {REALDATA} "
                              "(only present next to the repo as ../shared/realdata)"),
]

TIANCHI_MOBILE = "tianchi_mobile_sample/tianchi_mobile_recommend_train_user_sample.csv"
TIANCHI_CN = "tianchi_216549_cn_headers/UserBehavior_cn.csv"
AB_DATA = "ab_udacity_ab_data/ab_data.csv"
COOKIE_CATS = "ab_cookie_cats/cookie_cats.csv"
RETAIL = "uci_online_retail_sample/online_retail_sample.csv"
KOL_TOP500_CSV = "douyin_kol_2019_top500/douyin.csv"
KOL_TOP500_XLSX = "douyin_kol_2019_top500/抖音网红排行榜 TooBigData.com-TOP500.xlsx"
KOL_5000 = "douyin_kol_5000/douyin.csv"
KAG = "fb_ads_kag_conversion/KAG_conversion_data.csv"
DATAFINITI = "datafiniti_electronics_prices_by_merchant/ElectronicsProductsPricingData.csv"


def real(relative: str) -> Path:
    """The path of one real file, skipping the test when that file is missing."""
    path = REALDATA / relative
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path


def file_rows(mask: pd.Series) -> list[int]:
    """Row numbers as the loaders report them: in the file, header = row 1."""
    return [int(i) + 2 for i in mask[mask].index]


def issue_with(df: pd.DataFrame, text: str):
    """The one data-quality issue whose message contains `text`."""
    found = [i for i in df.attrs["issues"] if text in i.message]
    assert len(found) == 1, [str(i) for i in df.attrs["issues"]]
    return found[0]


# --- events -----------------------------------------------------------------------------------

def test_tianchi_mobile_sample_events():
    path = real(TIANCHI_MOBILE)
    plain = pd.read_csv(path)

    df = load_events(path)

    assert len(df) == len(plain)
    assert len(df) == 1_999  # published in ../shared/realdata/README.md
    # behaviour codes 1-4; counts published in ../shared/realdata/README.md (1876/18/70/35)
    assert df["event"].value_counts().to_dict() == {"click": 1876, "fav": 18, "cart": 70,
                                                    "pay": 35}
    codes = {1: "click", 2: "fav", 3: "cart", 4: "pay"}
    assert df["event"].value_counts().to_dict() == \
        plain["behavior_type"].map(codes).value_counts().to_dict()
    # "2014-12-06 02" is a date and an hour
    assert df["ts"].dtype == "datetime64[us]"
    expected_ts = pd.to_datetime(plain["time"], format="%Y-%m-%d %H")
    assert (df["ts"] == expected_ts).all()
    assert (df["ts"].dt.minute == 0).all() and df["ts"].dt.hour.nunique() > 1
    assert df["user_id"].tolist() == plain["user_id"].astype(str).tolist()
    assert df["item_id"].tolist() == plain["item_id"].astype(str).tolist()


def test_tianchi_216549_chinese_headers_events():
    path = real(TIANCHI_CN)
    plain = pd.read_csv(path)

    df = load_events(path)

    assert len(df) == len(plain)
    words = {"pv": "click", "fav": "fav", "cart": "cart", "buy": "pay"}
    assert df["event"].value_counts().to_dict() == \
        plain["行为类型"].map(words).value_counts().to_dict()
    # 时间戳 is epoch seconds
    assert (df["ts"] == pd.to_datetime(plain["时间戳"], unit="s")).all()
    # 售价 is the value
    assert df["value"].sum() == pytest.approx(plain["售价"].sum(), abs=0.01)
    assert df["user_id"].tolist() == plain["用户ID"].astype(str).tolist()
    assert df["item_id"].tolist() == plain["商品ID"].astype(str).tolist()
    # columns the schema does not know are kept
    assert {"品牌", "商品名称"} <= set(df.columns)


# --- experiments ------------------------------------------------------------------------------

def test_ab_data_experiment_with_issues():
    path = real(AB_DATA)
    plain = pd.read_csv(path)

    df = load_experiments(path, strict=False)

    assert len(df) == len(plain) == 294_478  # row count published in ../shared/realdata/README.md
    # rows where group and landing_page disagree
    mismatch = (plain["group"] == "treatment") != (plain["landing_page"] == "new_page")
    issue = issue_with(df, "disagree")
    assert f"{mismatch.sum():,}" in issue.message  # 3,893 in ../shared/realdata/README.md
    assert sorted(issue.rows) == file_rows(mismatch)
    # users who appear more than once
    repeated = plain["user_id"].duplicated(keep=False)
    issue = issue_with(df, "repeat the key")
    assert "user_id" in issue.message
    assert issue.file == path.name
    assert sorted(issue.rows) == file_rows(repeated)
    # the conversion rate of each variant
    rates = df.groupby("variant")["converted"].mean().astype(float)
    expected = plain.groupby("group")["converted"].mean()
    assert sorted(rates.index) == ["control", "treatment"]
    for variant in expected.index:
        assert rates[variant] == pytest.approx(expected[variant], abs=1e-12)


def test_ab_data_strict_raises_on_repeated_users():
    path = real(AB_DATA)
    with pytest.raises(ShopDataError, match="repeat the key") as caught:
        load_experiments(path)
    assert caught.value.file == path.name
    assert caught.value.rows


def test_cookie_cats_experiment():
    path = real(COOKIE_CATS)
    plain = pd.read_csv(path, dtype=str)

    df = load_experiments(path)

    assert len(df) == len(plain) == 90_189  # row count published in ../shared/realdata/README.md
    assert sorted(df["variant"].unique()) == ["gate_30", "gate_40"]
    assert df["variant"].value_counts().to_dict() == plain["version"].value_counts().to_dict()
    assert df["user_id"].tolist() == plain["userid"].tolist()
    for col in ("retention_1", "retention_7"):
        assert df[col].dtype == "boolean"
        assert not df[col].isna().any()
        truth = plain[col].map({"TRUE": True, "FALSE": False})
        assert truth.notna().all()
        means = df.groupby("variant")[col].mean().astype(float)
        expected = truth.groupby(plain["version"]).mean()
        for variant in expected.index:
            assert means[variant] == pytest.approx(expected[variant], abs=1e-12)
    assert df["sum_gamerounds"].sum() == plain["sum_gamerounds"].astype(int).sum()


# --- orders -----------------------------------------------------------------------------------

def test_online_retail_order_lines_summed():
    path = real(RETAIL)
    plain = pd.read_csv(path, dtype={"InvoiceNo": str, "CustomerID": str},
                        keep_default_na=False)

    df = load_orders(path)

    assert len(plain) == 20_000  # row count published in ../shared/realdata/README.md
    # one row an invoice
    assert len(df) == plain["InvoiceNo"].nunique()
    assert df["order_id"].is_unique
    assert set(df["order_id"]) == set(plain["InvoiceNo"])
    by_order = df.set_index("order_id")
    # total amount and items
    assert df["amount"].sum() == pytest.approx((plain["Quantity"] * plain["UnitPrice"]).sum(),
                                               abs=0.01)
    per_invoice = (plain["Quantity"] * plain["UnitPrice"]).groupby(plain["InvoiceNo"]).sum()
    assert (by_order["amount"] - per_invoice.reindex(by_order.index)).abs().max() < 1e-6
    items = plain.groupby("InvoiceNo")["Quantity"].sum()
    assert (by_order["items"].astype(int) == items.reindex(by_order.index)).all()
    # first line time of each invoice
    first_ts = pd.to_datetime(plain["InvoiceDate"]).groupby(plain["InvoiceNo"]).min()
    assert (by_order["ts"] == first_ts.reindex(by_order.index)).all()
    # cancellations: every "C..." invoice is cancelled (350 lines, README)
    is_c = plain["InvoiceNo"].str.startswith("C")
    assert is_c.sum() == 350  # published in ../shared/realdata/README.md
    c_orders = df["order_id"].str.startswith("C")
    assert (df.loc[c_orders, "status"] == "cancelled").all()
    assert c_orders.sum() == plain.loc[is_c, "InvoiceNo"].nunique()
    # ... and, as _orders_shape documents, other invoices whose quantities sum below zero
    negative_other = ((items < 0) & ~items.index.str.startswith("C")).sum()
    assert (df["status"] == "cancelled").sum() == c_orders.sum() + negative_other
    assert set(df["status"]) == {"paid", "cancelled"}
    # CustomerID "NA" is missing
    na_customer = plain.groupby("InvoiceNo")["CustomerID"].first() == "NA"
    assert df["user_id"].isna().sum() == na_customer.sum()
    assert "NA" not in set(df["user_id"].dropna())


# --- competitors ------------------------------------------------------------------------------

@pytest.mark.parametrize("relative", [KOL_TOP500_CSV, KOL_TOP500_XLSX], ids=["csv", "xlsx"])
def test_douyin_top500_competitors(relative):
    path = real(relative)
    if path.suffix == ".xlsx":
        plain = pd.read_excel(path, sheet_name="TooBigData-KOL", dtype=str)
    else:
        plain = pd.read_csv(path, encoding="utf-8-sig", dtype=str)

    df = load_competitors(path)

    assert len(df) == len(plain) == 500  # row count published in ../shared/realdata/README.md
    for col, header in (("fans", "粉丝数"), ("likes", "获赞数"), ("videos", "视频数")):
        assert int(df[col].sum()) == plain[header].astype("int64").sum()
    assert df["shop"].tolist() == plain["昵称"].str.strip().tolist()  # text is trimmed
    assert df["account_id"].tolist() == plain["抖音号"].tolist()
    # 采集时间 "2019-01-28 01:19:27" becomes the day
    assert df["date"].dtype == "datetime64[us]"
    assert (df["date"] == pd.to_datetime(plain["采集时间"]).dt.normalize()).all()


def test_douyin_top500_csv_and_xlsx_agree():
    from_csv = load_competitors(real(KOL_TOP500_CSV))
    from_xlsx = load_competitors(real(KOL_TOP500_XLSX))
    cols = ["date", "shop", "account_id", "fans", "likes", "videos"]
    pd.testing.assert_frame_equal(from_csv[cols], from_xlsx[cols])


def test_douyin_kol_5000_competitors():
    path = real(KOL_5000)
    plain = pd.read_csv(path, encoding="utf-8-sig")

    df = load_competitors(path)

    assert len(df) == len(plain) == 5_025  # row count published in ../shared/realdata/README.md
    assert int(df["fans"].sum()) == plain["fans"].sum()
    assert int(df["likes"].sum()) == plain["likes"].sum()
    assert int(df["videos"].sum()) == plain["videos"].sum()
    assert df["shop"].tolist() == plain["name"].tolist()
    assert df["category"].value_counts().to_dict() == plain["category"].value_counts().to_dict()


def test_datafiniti_merchant_is_the_shop():
    path = real(DATAFINITI)
    plain = pd.read_csv(path, dtype=str, keep_default_na=False)

    df = load_competitors(path, strict=False)

    assert len(df) == len(plain) == 7_249  # row count published in ../shared/realdata/README.md
    assert df["shop"].value_counts().to_dict() == plain["merchant"].value_counts().to_dict()
    # "104.99 " (trailing space) is a price; amountMin is the price, amountMax the list price
    low = pd.to_numeric(plain["amountMin"].str.strip())
    high = pd.to_numeric(plain["amountMax"].str.strip())
    assert (df["price"] - low).abs().max() < 1e-9
    assert (df["list_price"] - high).abs().max() < 1e-9
    # dateSeen was trimmed from this copy, so rows that agree on everything but the price
    # and the sale flag repeat the key: noted here, an error in strict mode
    repeated = plain.drop(columns=["amountMax", "amountMin", "isSale"]).duplicated(keep=False)
    issue = issue_with(df, "repeat the key")
    assert issue.file == path.name
    assert sorted(issue.rows) == file_rows(repeated)
    with pytest.raises(ShopDataError, match="repeat the key"):
        load_competitors(path)


def test_missing_shop_column_lists_the_columns_found():
    """Without its merchant column, the Datafiniti table has nothing to call a shop."""
    plain = pd.read_csv(real(DATAFINITI), dtype=str).drop(columns="merchant")
    with pytest.raises(ShopDataError, match="no column for shop") as caught:
        load_competitors(plain, strict=False)
    assert "columns found: " + ", ".join(plain.columns) in str(caught.value)


# --- funnel -----------------------------------------------------------------------------------

def test_kag_ad_funnel_strict_names_file_column_rows():
    path = real(KAG)
    plain = pd.read_csv(path)
    # view-through conversions: approved conversions without a click
    over = plain["Approved_Conversion"] > plain["Clicks"]
    assert over.any()

    with pytest.raises(ShopDataError) as caught:
        load_funnel(path)

    err = caught.value
    assert err.file == path.name
    # the canonical name or the file's own header (or both) must point at the column
    assert "buyers" in err.column or "Approved_Conversion" in err.column
    assert err.rows == file_rows(over)
    assert path.name in str(err) and str(file_rows(over)[0]) in str(err)


def test_kag_ad_funnel_lenient_totals():
    path = real(KAG)
    plain = pd.read_csv(path)

    df = load_funnel(path, strict=False)

    assert len(df) == len(plain) == 1_143  # row count published in ../shared/realdata/README.md
    over = plain["Approved_Conversion"] > plain["Clicks"]
    issue = issue_with(df, "buyers is larger than clicks")
    assert issue.file == path.name
    assert issue.rows == file_rows(over)
    # totals published in ../shared/realdata/REFERENCE_RESULTS.md ("Ad funnel totals")
    assert int(df["impressions"].sum()) == 213_434_828
    assert int(df["clicks"].sum()) == 38_165
    assert round(float(df["ad_cost"].sum()), 2) == 58_705.23
    assert int(df["orders"].sum()) == 3_264
    assert int(df["buyers"].sum()) == 1_079
    # and the same totals from the file with plain pandas
    for col, header in (("impressions", "Impressions"), ("clicks", "Clicks"),
                        ("orders", "Total_Conversion"), ("buyers", "Approved_Conversion")):
        assert int(df[col].sum()) == plain[header].sum()
    assert float(df["ad_cost"].sum()) == pytest.approx(plain["Spent"].sum(), abs=1e-6)
    # Date "31-08-2023" is day-first
    assert (df["date"] == pd.to_datetime(plain["Date"], format="%d-%m-%Y")).all()
    assert pd.Timestamp("2023-08-31") in set(df["date"])
    assert df["ad_id"].tolist() == plain["ad_id"].astype(str).tolist()


def test_kag_age_brackets_kept_as_text():
    """An unknown column of brackets ("30-34") is a label, not a range to average."""
    path = real(KAG)
    plain = pd.read_csv(path, dtype=str)
    df = load_funnel(path, strict=False)
    assert df["age"].tolist() == plain["age"].tolist()


# --- sources are never touched ----------------------------------------------------------------

LOADS = [
    (load_events, TIANCHI_MOBILE), (load_events, TIANCHI_CN),
    (load_experiments, AB_DATA), (load_experiments, COOKIE_CATS),
    (load_orders, RETAIL),
    (load_competitors, KOL_TOP500_CSV), (load_competitors, KOL_TOP500_XLSX),
    (load_competitors, KOL_5000), (load_competitors, DATAFINITI),
    (load_funnel, KAG),
]


def _fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def test_loading_never_modifies_the_sources():
    paths = [real(relative) for _, relative in LOADS]
    folders = {p.parent for p in paths}
    before = {p: _fingerprint(p) for p in paths}
    listing = {f: sorted(x.name for x in f.iterdir()) for f in folders}

    for loader, relative in LOADS:
        loader(REALDATA / relative, strict=False)

    assert {p: _fingerprint(p) for p in paths} == before
    assert {f: sorted(x.name for x in f.iterdir()) for f in folders} == listing
