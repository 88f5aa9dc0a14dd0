"""The bundled sample shop: a seeded generator and the writer of its export files.

`make_shop_data` builds one synthetic Douyin-style shop, 山野集官方旗舰店, over
2026-06-15 .. 2026-11-15 (the 618 tail, a slow trend, busy weekends and the
Double-11 build-up and spike): 22 products in 5 categories sold through live
rooms, short videos and the product card. The click-stream log (about a million
click / cart / order / pay events) is generated first, user session by user
session; the daily funnel, the orders and the videos' clicks are then counted
from it, so they agree with the log exactly. Competitors and three A/B tests
come with planted facts, kept in `ShopData.truth`.

`write_sample` writes the shop the way the back office exports it: Chinese
headers, GB18030 / GBK / UTF-8-with-BOM CSVs, Excel sheets, and numbers such as
"5,652.00", "3.25%", "1.2万", "1分5秒", "¥129.00" and "7.5w~10w".

Example:
    >>> shop = make_shop_data(seed=7)
    >>> shop.truth["own_shop"]
    '山野集官方旗舰店'
    >>> bool((shop.funnel["clicks"] <= shop.funnel["impressions"]).all())
    True
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shopnb import load
from shopnb.errors import ShopDataError
from shopnb.schema import TABLES, ByTable, table_name

START = pd.Timestamp("2026-06-15")
END = pd.Timestamp("2026-11-15")
OWN_SHOP = "山野集官方旗舰店"
LIVE_ROOM = "山野集好物直播间"
N_USERS = 100_000
TARGET_EVENTS = 920_000
DAY_S = 86_400

# name, category, price, season (all / summer / winter)
PRODUCTS = (
    ("玻尿酸补水面膜10片", "美妆", 59.9, "all"),
    ("氨基酸洁面乳120g", "美妆", 49.9, "all"),
    ("烟酰胺精华30ml", "美妆", 159.0, "all"),
    ("丝绒哑光口红", "美妆", 99.0, "all"),
    ("控油蓬松洗发水", "个护", 45.9, "all"),
    ("香氛沐浴露750ml", "个护", 39.9, "all"),
    ("声波电动牙刷", "个护", 199.0, "all"),
    ("薄荷牙膏3支装", "个护", 29.9, "all"),
    ("保湿身体乳400ml", "个护", 69.0, "winter"),
    ("每日坚果750g", "食品", 89.0, "winter"),
    ("即食鸡胸肉10袋", "食品", 69.9, "all"),
    ("挂耳咖啡30包", "食品", 59.0, "all"),
    ("黑芝麻丸6盒", "食品", 39.9, "winter"),
    ("乳胶枕头一对", "家居", 199.0, "all"),
    ("珊瑚绒毛毯", "家居", 129.0, "winter"),
    ("收纳箱3件套", "家居", 49.9, "all"),
    ("抽纸24包整箱", "家居", 19.9, "all"),
    ("冰丝防晒衣", "服饰", 89.0, "summer"),
    ("纯棉短袖T恤", "服饰", 59.0, "summer"),
    ("高腰阔腿牛仔裤", "服饰", 139.0, "all"),
    ("羊毛混纺围巾", "服饰", 159.0, "winter"),
    ("轻薄羽绒服", "服饰", 299.0, "winter"),
)
REFUND_RATE = {"美妆": 0.06, "个护": 0.04, "食品": 0.03, "家居": 0.06, "服饰": 0.16}

# carrier, channel, share of the carrier's traffic, people CTR, cart rate, order rate
CELL_PLAN = (
    ("live", "feed", 0.45, 0.085, 0.06, 0.045),
    ("live", "followers", 0.25, 0.140, 0.07, 0.068),
    ("live", "ads", 0.22, 0.070, 0.05, 0.042),
    ("live", "search", 0.08, 0.110, 0.07, 0.050),
    ("video", "feed", 0.55, 0.028, 0.08, 0.017),
    ("video", "followers", 0.12, 0.040, 0.09, 0.023),
    ("video", "ads", 0.23, 0.024, 0.07, 0.018),
    ("video", "search", 0.10, 0.050, 0.10, 0.026),
    ("card", "shop_window", 0.40, 0.090, 0.14, 0.023),
    ("card", "search", 0.35, 0.160, 0.16, 0.029),
    ("card", "mall", 0.25, 0.050, 0.12, 0.014),
)
CARRIER_TRAFFIC = {"live": 1.4, "video": 0.8, "card": 0.55}  # daily clicks weight per product
AD_ROI = {"live": 3.2, "video": 2.6}

# format: share of videos, CTR factor, completion rate, duration range (s), like rate
VIDEO_FORMATS = {
    "drama": (0.30, 1.15, 0.61, (60, 150), 0.034),
    "review": (0.30, 1.25, 0.66, (30, 90), 0.024),
    "live_clip": (0.25, 0.85, 0.74, (15, 45), 0.018),
    "tutorial": (0.15, 1.00, 0.55, (60, 180), 0.028),
}
TITLES = {
    "drama": ("被闺蜜安利的{p}，结局反转了", "加班到深夜，还好有{p}", "婆婆嫌弃的{p}，真香了"),
    "review": ("{p}真实测评：到底值不值", "5款{p}横评，只推荐这一个", "{p}用了一个月说说实话"),
    "live_clip": ("直播间{p}限时福利", "{p}今晚直播间价格打下来了", "主播现场试用{p}"),
    "tutorial": ("3步教你用好{p}", "{p}正确打开方式", "新手也能学会：{p}使用教程"),
}
HOUR_WEIGHTS = np.array([0.8, 0.45, 0.25, 0.15, 0.12, 0.15, 0.35, 0.7, 1.0, 1.1, 1.15, 1.3,
                         1.6, 1.5, 1.1, 1.0, 1.0, 1.1, 1.3, 1.6, 2.0, 2.3, 2.2, 1.6])
WEEKDAY = np.array([0.95, 0.92, 0.93, 0.97, 1.05, 1.22, 1.20])  # Monday first

# Competitors: shop -> (age shares 18-23 .. 50+, female share, traffic shares, products)
# traffic shares are feed, search, shop_window, ads, followers, other.
RIVALS = {
    "美丽日记旗舰店": ((0.24, 0.36, 0.24, 0.11, 0.05), 0.86, (0.42, 0.14, 0.08, 0.22, 0.10, 0.04),
                 (("水光补水面膜", "美妆", 69.9), ("玻色因精华液", "美妆", 259.0),
                  ("雾面唇釉", "美妆", 89.0), ("修护眼霜", "美妆", 199.0))),
    "小鹿日化官方店": ((0.20, 0.33, 0.27, 0.13, 0.07), 0.68, (0.38, 0.20, 0.12, 0.18, 0.08, 0.04),
                 (("氨基酸洗发水", "个护", 49.9), ("香氛沐浴露", "个护", 45.9),
                  ("美白牙膏", "个护", 29.9))),
    "老铺良品食品店": ((0.04, 0.10, 0.55, 0.21, 0.10), 0.61, (0.30, 0.26, 0.16, 0.12, 0.12, 0.04),
                 (("红枣枸杞茶", "食品", 39.9), ("黑芝麻丸", "食品", 49.9),
                  ("阿胶糕", "食品", 128.0), ("坚果礼盒", "食品", 99.0))),
    "悦家生活馆": ((0.17, 0.36, 0.26, 0.14, 0.07), 0.72, (0.36, 0.22, 0.14, 0.16, 0.08, 0.04),
              (("记忆棉枕", "家居", 159.0), ("珊瑚绒四件套", "家居", 229.0),
               ("收纳盒套装", "家居", 59.9))),
    "潮衣研究所": ((0.31, 0.37, 0.19, 0.08, 0.05), 0.79, (0.46, 0.12, 0.10, 0.20, 0.08, 0.04),
              (("冰丝防晒衣", "服饰", 79.0), ("加绒卫衣", "服饰", 129.0),
               ("直筒牛仔裤", "服饰", 149.0), ("羽绒马甲", "服饰", 239.0),
               ("针织开衫", "服饰", 119.0))),
}
OWN_PROFILE = ((0.18, 0.35, 0.27, 0.13, 0.07), 0.74, (0.40, 0.18, 0.14, 0.16, 0.09, 0.03))
RANGE_EDGES = np.array([0, 10, 50] + [m * 10.0**k for k in range(2, 9) for m in (1, 2.5, 5, 7.5)])

CARRIER_ZH = {"live": "直播", "video": "短视频", "card": "商品卡"}
CHANNEL_ZH = {"feed": "推荐", "followers": "关注", "ads": "千川", "search": "搜索",
              "shop_window": "橱窗", "mall": "商城"}
FORMAT_ZH = {"drama": "剧情", "review": "测评", "live_clip": "直播切片", "tutorial": "教程"}
STATUS_ZH = {"unpaid": "待支付", "paid": "已支付", "completed": "已完成", "cancelled": "已关闭",
             "refunded": "已退款"}
EVENT_CODES = np.array(["click", "cart", "order", "pay"])


@dataclass(frozen=True, eq=False)
class ShopData:
    """One generated shop: canonical tables plus what was planted in them.

    `live_rooms` is the live room's daily overview (funnel columns, creator = room).

    Example:
        >>> shop = make_shop_data(seed=7)
        >>> shop.truth["price_cuts"].columns.tolist()
        ['shop', 'product', 'date', 'old_price', 'new_price']
    """

    funnel: pd.DataFrame
    events: pd.DataFrame
    videos: pd.DataFrame
    competitors: pd.DataFrame
    experiments: pd.DataFrame
    orders: pd.DataFrame
    live_rooms: pd.DataFrame
    truth: dict[str, Any]


def make_shop_data(seed: int = 7) -> ShopData:
    """Generate the sample shop; the same seed gives the same frames.

    Example:
        >>> shop = make_shop_data(seed=7)
        >>> shop.funnel["date"].min(), shop.funnel["date"].max()
        (Timestamp('2026-06-15 00:00:00'), Timestamp('2026-11-15 00:00:00'))
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, END, freq="D")
    products = _products(rng)
    traffic, promo = _day_factors(rng, days)
    lives = _live_sessions(rng, days, products)
    videos = _video_plan(rng, products, len(days))
    cells = _cells(rng, products, traffic, promo, lives, videos)
    sessions = _sessions(rng, cells)
    log, orders = _simulate(rng, cells, sessions, products)
    funnel = _funnel(rng, cells, sessions, log, orders, products, days)
    price_cuts, competitors = _competitors(rng, funnel, videos, lives)
    experiments, experiment_truth = _experiments(rng)
    return ShopData(
        funnel=_typed(funnel, "funnel"),
        events=_events(log, cells, products, days),
        videos=_videos(rng, videos, funnel, products, days),
        competitors=_typed(competitors, "competitors"),
        experiments=_typed(experiments, "experiments"),
        orders=_orders(rng, orders, cells, products, days),
        live_rooms=_live_rooms(rng, funnel, log, cells, lives, days),
        truth={
            "own_shop": OWN_SHOP,
            "live_room": LIVE_ROOM,
            "products": products.drop(columns=["pop"]),
            "price_cuts": price_cuts,
            "experiments": experiment_truth,
            "live_sessions": _session_table(lives, days),
            "promotions": {"618": pd.Timestamp("2026-06-18"),
                           "double_11": pd.Timestamp("2026-11-11")},
        },
    )


# --- the shop's calendar, products, live sessions and videos -------------------------------


def _products(rng: np.random.Generator) -> pd.DataFrame:
    """The own shop's products with 19-digit ids and a popularity weight."""
    frame = pd.DataFrame(PRODUCTS, columns=["product_name", "category", "price", "season"])
    ids = rng.choice(10**18, size=len(frame), replace=False)
    frame.insert(0, "product_id", [f"3{i:018d}" for i in ids])
    frame["pop"] = rng.lognormal(0.0, 0.55, len(frame)) * (100.0 / frame["price"]) ** 0.3
    return frame


def _day_factors(rng: np.random.Generator, days: pd.DatetimeIndex) -> tuple[np.ndarray, ...]:
    """Traffic multiplier per day (trend, weekdays, 618, Double 11) and promo strength 0..1."""
    t = np.arange(len(days)) / (len(days) - 1)
    to_618 = (days - pd.Timestamp("2026-06-18")).days.to_numpy()
    to_d11 = (days - pd.Timestamp("2026-11-11")).days.to_numpy()
    build_up = np.clip((to_d11 + 22) / 21, 0, 1) * (to_d11 <= 0)
    promo = np.maximum.reduce([0.6 * np.exp(-np.abs(to_618) / 1.5), np.exp(-np.abs(to_d11) / 1.2),
                               0.35 * build_up])
    traffic = ((1 + 0.3 * t) * WEEKDAY[days.day_of_week] * (1 + 2.6 * promo)
               * rng.lognormal(0, 0.06, len(days)))
    return traffic, promo


def _live_sessions(rng: np.random.Generator, days: pd.DatetimeIndex,
                   products: pd.DataFrame) -> pd.DataFrame:
    """One evening live session on most days, 8 products each; every day before Double 11."""
    to_d11 = (days - pd.Timestamp("2026-11-11")).days.to_numpy()
    must = ((to_d11 >= -22) & (to_d11 <= 1)) | (days < pd.Timestamp("2026-06-19"))
    on = must | (rng.random(len(days)) < np.where(days.day_of_week >= 5, 0.95, 0.8))
    day = np.flatnonzero(on)
    start = 19 * 3600 + rng.integers(0, 12, day.size) * 300
    start = np.where(np.abs(to_d11[day]) <= 1, 18 * 3600, start)
    end = np.minimum(start + rng.integers(36, 55, day.size) * 300, DAY_S - 60)
    weight = products["pop"].to_numpy() / products["pop"].sum()
    picks = [rng.choice(len(products), size=8, replace=False, p=weight) for _ in day]
    return pd.DataFrame({"day": day, "start": start, "end": end, "products": picks})


def _video_plan(rng: np.random.Generator, products: pd.DataFrame, n_days: int) -> pd.DataFrame:
    """Each product's videos one after another (one live video a product a day), with gaps."""
    names = list(VIDEO_FORMATS)
    shares = np.array([v[0] for v in VIDEO_FORMATS.values()])
    rows = []
    for product, name in enumerate(products["product_name"]):
        day = -int(rng.integers(0, 10))
        while day < n_days:
            life, fmt = int(rng.integers(8, 23)), names[rng.choice(len(names), p=shares)]
            low, high = VIDEO_FORMATS[fmt][3]
            title = TITLES[fmt][rng.integers(len(TITLES[fmt]))].format(p=name)
            rows.append((product, fmt, day, int(rng.integers(7 * 12, 21 * 12)) * 300, life,
                         int(rng.integers(low, high + 1)), title))
            day += life + int(rng.choice([0, 2, 4, 6, 9, 12]))
    plan = pd.DataFrame(rows, columns=["product", "format", "day", "pub_s", "life",
                                       "duration_s", "title"])
    plan.insert(0, "video_id", [f"7{i:018d}" for i in rng.choice(10**18, len(plan), replace=False)])
    return plan


def _session_table(lives: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The live sessions as dates and timestamps, for the live room overview."""
    date = days[lives["day"]]
    return pd.DataFrame({
        "date": date, "room": LIVE_ROOM,
        "start": date + pd.to_timedelta(lives["start"].to_numpy(), unit="s"),
        "end": date + pd.to_timedelta(lives["end"].to_numpy(), unit="s"),
        "hours": ((lives["end"] - lives["start"]) / 3600).round(1).to_numpy(),
        "products": lives["products"].map(len).to_numpy(),
    })


# --- the click stream ------------------------------------------------------------------------


def _cells(rng: np.random.Generator, products: pd.DataFrame, traffic: np.ndarray,
           promo: np.ndarray, lives: pd.DataFrame, videos: pd.DataFrame) -> pd.DataFrame:
    """Expected clicking users per day x product x carrier x channel, with rates and hours."""
    n_days = len(traffic)
    t = np.arange(n_days) / (n_days - 1)
    season = {"all": np.ones(n_days), "summer": 1.5 - 1.1 * t, "winter": 0.5 + 1.4 * t**1.5}
    demand = (np.vstack([season[s] for s in products["season"]]) * traffic[None, :]
              * products["pop"].to_numpy()[:, None])

    live = lives.explode("products").astype({"products": int})
    live_units = pd.DataFrame({"day": live["day"], "product": live["products"], "lo": live["start"],
                               "hi": live["end"], "format": "all", "age": 0,
                               "weight": (live["end"] - live["start"]) / (4 * 3600)})
    age = np.concatenate([np.arange(n) for n in videos["life"]])
    vid = np.repeat(np.arange(len(videos)), videos["life"])
    video_units = pd.DataFrame({"day": videos["day"].to_numpy()[vid] + age,
                                "product": videos["product"].to_numpy()[vid],
                                "lo": np.where(age == 0, videos["pub_s"].to_numpy()[vid], 0),
                                "hi": DAY_S, "format": videos["format"].to_numpy()[vid],
                                "age": age})
    video_units["weight"] = np.where(age == 0, 1 - video_units["lo"] / DAY_S,
                                     np.exp(-np.maximum(age - 1, 0) / 9))
    video_units = video_units[video_units["day"].between(0, n_days - 1)]
    card_units = pd.DataFrame({"day": np.tile(np.arange(n_days), len(products)),
                               "product": np.repeat(np.arange(len(products)), n_days), "lo": 0,
                               "hi": DAY_S, "format": "all", "age": 0, "weight": 1.0})
    units = {"live": live_units, "video": video_units, "card": card_units}

    plan = pd.DataFrame(CELL_PLAN,
                        columns=["carrier", "channel", "share", "ctr", "p_cart", "p_order"])
    cells = pd.concat([units[c].assign(carrier=c) for c in units], ignore_index=True)
    cells = cells.merge(plan, on="carrier").sort_values(["day", "product", "carrier", "channel"])
    cells = cells.reset_index(drop=True)

    fmt_ctr = cells["format"].map({k: v[1] for k, v in VIDEO_FORMATS.items()}).fillna(1.0)
    decay = np.where(cells["carrier"] == "video", 0.6 + 0.4 * np.exp(-cells["age"] / 5), 1.0)
    cells["ctr"] = cells["ctr"] * fmt_ctr * decay * rng.lognormal(0, 0.1, len(cells))
    price = products["price"].to_numpy()[cells["product"]]
    boost = 1 + 0.45 * promo[cells["day"]]
    cells["p_order"] = np.minimum(cells["p_order"] * boost * (100 / price) ** 0.25, 0.4)
    lam = (demand[cells["product"], cells["day"]] * cells["carrier"].map(CARRIER_TRAFFIC)
           * cells["share"] * cells["weight"] * fmt_ctr * decay
           * rng.lognormal(0, 0.2, len(cells)))
    per_session = 1 / 0.72 + cells["p_cart"] * 1.25 + cells["p_order"] * 1.05 * 1.9
    cells["lam"] = lam * TARGET_EVENTS * 1.03 / float((lam * per_session).sum())
    return cells.drop(columns=["share", "weight"])


def _sessions(rng: np.random.Generator, cells: pd.DataFrame) -> pd.DataFrame:
    """Clicking users per cell drawn from a heavy-tailed user pool, one session each, with start."""
    cell = np.repeat(np.arange(len(cells)), rng.poisson(cells["lam"].to_numpy()))
    weight = rng.lognormal(0, 1.15, N_USERS)
    user = rng.choice(N_USERS, size=cell.size, p=weight / weight.sum())
    key = np.unique(cell.astype(np.int64) * N_USERS + user)
    cell, user = key // N_USERS, key % N_USERS
    hour_cdf = np.cumsum(HOUR_WEIGHTS) / HOUR_WEIGHTS.sum()
    daily = (np.searchsorted(hour_cdf, rng.random(cell.size)) * 3600
             + rng.integers(0, 3600, cell.size)) / DAY_S
    is_live = (cells["carrier"].to_numpy() == "live")[cell]
    u = np.where(is_live, rng.beta(1.6, 1.3, cell.size), daily)
    lo, hi = cells["lo"].to_numpy()[cell], cells["hi"].to_numpy()[cell]
    return pd.DataFrame({"cell": cell, "user": user, "t0": lo + (u * (hi - lo - 1)).astype(int)})


def _spaced(rng: np.random.Generator, start: np.ndarray, counts: np.ndarray, median: float,
            sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """`counts[i]` times after `start[i]`, each at least 1 s after the one before."""
    owner = np.repeat(np.arange(start.size), counts)
    gaps = np.ceil(rng.lognormal(np.log(median), sigma, owner.size)).astype(np.int64)
    prefix = np.concatenate([[0], np.cumsum(gaps)])
    within = prefix[1:] - np.repeat(prefix[np.cumsum(counts) - counts], counts)
    return owner, start[owner] + within


def _simulate(rng: np.random.Generator, cells: pd.DataFrame, sessions: pd.DataFrame,
              products: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each session's clicks, carts, orders and pays (seconds into its day).

    Events after midnight do not happen, so an order may stay unpaid.
    """
    n = len(sessions)
    cell, t0 = sessions["cell"].to_numpy(), sessions["t0"].to_numpy().astype(np.int64)
    p_cart, p_order = cells["p_cart"].to_numpy()[cell], cells["p_order"].to_numpy()[cell]

    extra_owner, extra_t = _spaced(rng, t0, rng.geometric(0.72, n) - 1, 40, 1.0)
    has_cart = rng.random(n) < p_cart
    n_cart = np.where(has_cart, rng.geometric(0.8, n), 0)
    cart_owner, cart_t = _spaced(rng, t0, n_cart, 90, 1.0)
    last_cart = t0.copy()
    last_cart[has_cart] = cart_t[np.cumsum(n_cart)[has_cart] - 1]

    p_buy = p_order * np.where(has_cart, 2.4, 1.0) / (1 + 1.4 * p_cart)
    n_order = np.where(rng.random(n) < p_buy, 1 + (rng.random(n) < 0.05), 0)
    order_owner, order_t = _spaced(rng, last_cart, n_order, 120, 1.1)
    late = rng.random(order_t.size) < 0.05
    pay_t = order_t + np.where(late, rng.integers(1200, 4 * 3600, late.size),
                               np.ceil(rng.lognormal(np.log(25), 0.9, late.size)).astype(np.int64))
    pays = np.flatnonzero(rng.random(order_t.size) < np.where(order_t >= 22 * 3600, 0.84, 0.95))

    log = pd.DataFrame({
        "session": np.concatenate([np.arange(n), extra_owner, cart_owner, order_owner,
                                   order_owner[pays]]),
        "t": np.concatenate([t0, extra_t, cart_t, order_t, pay_t[pays]]),
        "code": np.repeat([0, 0, 1, 2, 3], [n, extra_t.size, cart_t.size, order_t.size,
                                             pays.size]),
        "order": np.concatenate([np.full(n + extra_t.size + cart_t.size, -1),
                                 np.arange(order_t.size), pays]),
    })
    log = log[log["t"] < DAY_S].reset_index(drop=True)
    log["cell"] = cell[log["session"]]
    log["user"] = sessions["user"].to_numpy()[log["session"]]

    orders = pd.DataFrame({"session": order_owner, "t": order_t, "pay_t": pay_t})
    paid_orders = log.loc[log["code"] == 3, "order"].to_numpy()
    orders["paid"] = np.isin(np.arange(len(orders)), paid_orders)
    orders = orders[orders["t"] < DAY_S]
    orders["cell"] = cell[orders["session"]]
    orders["user"] = sessions["user"].to_numpy()[orders["session"]]
    orders["items"] = rng.choice([1, 2, 3], size=len(orders), p=[0.82, 0.13, 0.05])
    product = cells["product"].to_numpy()[orders["cell"]]
    orders["price"] = products["price"].to_numpy()[product]
    refund_p = products["category"].map(REFUND_RATE).to_numpy()[product]
    refund_p = refund_p + 0.04 * (cells["carrier"].to_numpy()[orders["cell"]] == "live")
    orders["refunded"] = orders["paid"] & (rng.random(len(orders)) < refund_p)
    return log, orders.reset_index(drop=True)


def _funnel(rng: np.random.Generator, cells: pd.DataFrame, sessions: pd.DataFrame,
            log: pd.DataFrame, orders: pd.DataFrame, products: pd.DataFrame,
            days: pd.DatetimeIndex) -> pd.DataFrame:
    """Count the daily funnel from the log: people from sessions, times from events."""
    size = len(cells)

    def count(frame: pd.DataFrame, weights: str | None = None) -> np.ndarray:
        w = None if weights is None else frame[weights].to_numpy()
        return np.bincount(frame["cell"].to_numpy(), weights=w, minlength=size)

    events = {code: log[log["code"] == code] for code in range(4)}
    paid = orders[orders["paid"]].assign(amount=lambda o: o["price"] * o["items"])
    refunded = paid[paid["refunded"]]
    frame = cells[["day", "product", "carrier", "channel", "format", "ctr", "lam"]].assign(
        clicks=count(sessions),
        clicks_times=count(events[0]),
        carts=count(events[1].drop_duplicates("session")),
        carts_times=count(events[1]),
        orders=count(events[2]),
        buyers=count(events[3].drop_duplicates("session")),
        items=count(paid, "items").astype(int),
        gmv=count(paid, "amount").round(2),
        refunds=count(refunded, "amount").round(2),
        refund_orders=count(refunded),
    )
    frame = frame[frame["clicks"] > 0].reset_index(drop=True)
    frame["impressions"] = frame["clicks"] + rng.poisson(frame["lam"] * (1 - frame["ctr"])
                                                         / frame["ctr"])
    frame["impressions_times"] = frame["impressions"] + rng.poisson(0.3 * frame["impressions"])
    frame["ad_cost"] = _ad_cost(rng, frame)
    info = products.iloc[frame["product"]]
    return frame.assign(
        date=days[frame["day"]], product_id=info["product_id"].to_numpy(),
        product_name=info["product_name"].to_numpy(), category=info["category"].to_numpy(),
        creator="all",
    ).drop(columns=["ctr", "lam"])


def _ad_cost(rng: np.random.Generator, funnel: pd.DataFrame) -> np.ndarray:
    """Spend on ads rows only: a CPM per carrier set so that ROI lands near AD_ROI."""
    cost = np.zeros(len(funnel))
    for carrier, roi in AD_ROI.items():
        rows = ((funnel["carrier"] == carrier) & (funnel["channel"] == "ads")).to_numpy()
        cpm = funnel.loc[rows, "gmv"].sum() / roi / funnel.loc[rows, "impressions"].sum()
        cost[rows] = funnel.loc[rows, "impressions"] * cpm * rng.lognormal(0, 0.15, rows.sum())
    return cost.round(2)


def _events(log: pd.DataFrame, cells: pd.DataFrame, products: pd.DataFrame,
            days: pd.DatetimeIndex) -> pd.DataFrame:
    """The event log as a click-stream export: in time order."""
    product = cells["product"].to_numpy()[log["cell"]]
    price = products["price"].to_numpy()[product]
    day = cells["day"].to_numpy()[log["cell"]]
    frame = pd.DataFrame({
        "user_id": _user_ids(log["user"].to_numpy()),
        "ts": days.to_numpy()[day] + log["t"].to_numpy().astype("timedelta64[s]"),
        "event": EVENT_CODES[log["code"]],
        "item_id": products["product_id"].to_numpy()[product],
        "carrier": cells["carrier"].to_numpy()[log["cell"]],
        "channel": cells["channel"].to_numpy()[log["cell"]],
        "value": np.where(log["code"] >= 2, price, np.nan),
        "_user": log["user"].to_numpy(), "_code": log["code"].to_numpy(),
    })
    frame = frame.sort_values(["ts", "_user", "_code"], kind="stable")
    return _typed(frame.drop(columns=["_user", "_code"]), "events")


def _user_ids(user: np.ndarray) -> np.ndarray:
    """User ids for pool indices: 'u' and seven digits, spread over the range."""
    pool = np.char.add("u", (np.arange(N_USERS) * 89 + 1_000_000).astype(str)).astype(object)
    return pool[user]


def _orders(rng: np.random.Generator, orders: pd.DataFrame, cells: pd.DataFrame,
            products: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per order event with its payment (NaT when never paid) and status."""
    product = cells["product"].to_numpy()[orders["cell"]]
    day = days.to_numpy()[cells["day"].to_numpy()[orders["cell"]]]
    ts = day + orders["t"].to_numpy().astype("timedelta64[s]")
    paid_at = pd.Series(day + orders["pay_t"].to_numpy().astype("timedelta64[s]"))
    paid_at = paid_at.where(orders["paid"].to_numpy())
    status = np.select(
        [~orders["paid"] & (day == days[-1]), ~orders["paid"], orders["refunded"],
         paid_at < END - pd.Timedelta(days=10)],
        ["unpaid", "cancelled", "refunded", "completed"], "paid")
    frame = pd.DataFrame({
        "user_id": _user_ids(orders["user"].to_numpy()), "ts": ts, "paid_at": paid_at,
        "amount": (orders["price"] * orders["items"]).round(2), "status": status,
        "items": orders["items"], "product_id": products["product_id"].to_numpy()[product],
        "product_name": products["product_name"].to_numpy()[product],
        "carrier": cells["carrier"].to_numpy()[orders["cell"]],
        "channel": cells["channel"].to_numpy()[orders["cell"]],
    }).sort_values("ts", kind="stable")
    steps = rng.integers(1, 4000, len(frame))
    frame.insert(0, "order_id", [f"69{i:017d}" for i in 47_182_936_055_120_000 + np.cumsum(steps)])
    return _typed(frame, "orders")


# --- videos and the live room ----------------------------------------------------------------


def _videos(rng: np.random.Generator, plan: pd.DataFrame, funnel: pd.DataFrame,
            products: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Daily creator-centre rows per video; clicks, orders and GMV are the funnel's video rows."""
    age = np.concatenate([np.arange(n) for n in plan["life"]])
    vid = np.repeat(np.arange(len(plan)), plan["life"])
    frame = plan.iloc[vid].reset_index(drop=True).assign(age=age)
    frame["day"] = frame["day"] + age
    frame = frame[frame["day"].between(0, len(days) - 1)].reset_index(drop=True)
    video_rows = funnel[funnel["carrier"] == "video"]
    sums = video_rows.groupby(["day", "product"])[["impressions", "clicks", "orders", "gmv"]].sum()
    frame = frame.join(sums, on=["day", "product"]).fillna(
        {"impressions": 0, "clicks": 0, "orders": 0, "gmv": 0.0})

    n = len(frame)
    spec = frame["format"].map(VIDEO_FORMATS)
    shows = _wan_round(frame["impressions"] / rng.uniform(0.45, 0.6, n))
    plays = _wan_round(shows * rng.uniform(0.86, 0.95, n))
    completion = np.clip(spec.str[2] - 0.004 * frame["age"] + rng.normal(0, 0.03, n), 0.2, 0.95)
    duration = frame["duration_s"].to_numpy()
    published = days.to_numpy()[0] + ((frame["day"] - frame["age"]) * DAY_S
                                      + frame["pub_s"]).to_numpy().astype("timedelta64[s]")
    visits = rng.binomial(plays, 0.008)
    return _typed(pd.DataFrame({
        "video_id": frame["video_id"], "title": frame["title"], "date": days[frame["day"]],
        "published_at": published, "format": frame["format"],
        "product_id": products["product_id"].to_numpy()[frame["product"]],
        "duration_s": duration.astype(float), "impressions": shows, "plays": plays,
        "completion_rate": completion.round(3),
        "play_5s_rate": (completion + (1 - completion) * rng.uniform(0.45, 0.6, n)).round(3),
        "bounce_2s_rate": np.clip(0.34 - 0.25 * completion + rng.normal(0, 0.02, n),
                                  0.03, 0.5).round(3),
        "avg_play_s": (duration * (completion + (1 - completion) * 0.35)).round(1),
        "likes": _wan_round(rng.binomial(plays, spec.str[4])),
        "comments": rng.binomial(plays, 0.0025), "shares": rng.binomial(plays, 0.0018),
        "favorites": rng.binomial(plays, 0.004), "profile_visits": visits,
        "new_fans": rng.binomial(visits, 0.12), "clicks": frame["clicks"],
        "orders": frame["orders"], "gmv": frame["gmv"].round(2),
    }), "videos")


def _wan_round(x: Any) -> np.ndarray:
    """Counts of 10,000 or more rounded to 0.1万, as exports print them."""
    x = np.asarray(x, dtype=float)
    return np.where(x >= 1e4, np.round(x, -3), np.round(x)).astype(np.int64)


def _live_rooms(rng: np.random.Generator, funnel: pd.DataFrame, log: pd.DataFrame,
                cells: pd.DataFrame, lives: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The room's daily overview: the live funnel's totals and the room's own traffic.

    Distinct clickers and buyers come from the log, and the room's own traffic sits above
    them (room impressions >= views >= exposed).
    """
    totals = funnel[funnel["carrier"] == "live"].groupby("day")[
        ["impressions", "clicks_times", "orders", "items", "gmv", "refunds", "ad_cost"]].sum()
    live = log[(cells["carrier"].to_numpy() == "live")[log["cell"]]]
    people = live.assign(day=cells["day"].to_numpy()[live["cell"]])
    for code, name in ((0, "clicks"), (3, "buyers")):
        totals[name] = people[people["code"] == code].groupby("day")["user"].nunique()
    frame = totals.reindex(lives["day"]).fillna(0)
    n = len(frame)
    exposed = np.maximum((frame["impressions"] * rng.uniform(0.4, 0.5, n)).round(), frame["clicks"])
    views = (exposed / rng.uniform(0.55, 0.7, n)).round()
    return _typed(pd.DataFrame({
        "date": days[frame.index], "creator": LIVE_ROOM, "carrier": "live",
        "room_impressions": (views / rng.uniform(0.22, 0.35, n)).round(), "views": views,
        "views_times": (views * rng.uniform(1.3, 1.6, n)).round(), "impressions": exposed,
        "clicks": frame["clicks"], "orders": frame["orders"], "buyers": frame["buyers"],
        "items": frame["items"], "gmv": frame["gmv"].round(2), "refunds": frame["refunds"].round(2),
        "ad_cost": frame["ad_cost"].round(2), "clicks_times": frame["clicks_times"],
    }), "live_rooms")


# --- competitors -----------------------------------------------------------------------------


def _competitors(rng: np.random.Generator, funnel: pd.DataFrame,
                 plan: pd.DataFrame, lives: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly monitor rows for five rivals and the own shop; returns (price cuts, rows)."""
    weeks = pd.date_range(START, END, freq="W-MON")
    rows, cuts = [_own_products(funnel, weeks)], []
    shops = [_shop_weeks(rng, OWN_SHOP, OWN_PROFILE, weeks, _own_activity(plan, lives, weeks))]
    for shop, (ages, female, traffic, items) in RIVALS.items():
        activity = (rng.lognormal(np.log(4e5), 1.0), rng.poisson(rng.uniform(8, 25), len(weeks)),
                    rng.poisson(rng.uniform(3, 7), len(weeks)))
        shops.append(_shop_weeks(rng, shop, (ages, female, traffic), weeks, activity))
        for product, category, list_price in items:
            price, planted = _price_path(rng, list_price, weeks)
            cuts += [(shop, product, weeks[w], old, new) for w, old, new in planted]
            demand = (rng.lognormal(np.log(2500 * (100 / list_price) ** 0.6), 0.7)
                      * np.exp(rng.normal(0, 0.4) * np.linspace(0, 1, len(weeks)))
                      * _week_promo(weeks) * (list_price / price) ** 2.5
                      * rng.lognormal(0, 0.12, len(weeks)))
            sales = np.maximum(demand.round(), 12)
            rows.append(pd.DataFrame({"date": weeks, "shop": shop, "product": product,
                                      "category": category, "price": price,
                                      "list_price": list_price, "sales": sales,
                                      "gmv": sales * price, "rating": _ratings(rng, len(weeks))}))
    frame = pd.concat(rows, ignore_index=True).merge(pd.concat(shops), on=["date", "shop"])
    for column in ("sales", "gmv"):
        frame[f"{column}_low"], frame[f"{column}_high"] = _bucket(frame[column].to_numpy())
        frame[column] = (frame[f"{column}_low"] + frame[f"{column}_high"]) / 2
    price_cuts = pd.DataFrame(cuts, columns=["shop", "product", "date", "old_price", "new_price"])
    price_cuts = price_cuts.astype({"shop": "str", "product": "str", "date": "datetime64[us]"})
    return price_cuts.sort_values(["date", "shop", "product"], ignore_index=True), frame


def _week_promo(weeks: pd.DatetimeIndex) -> np.ndarray:
    """Weekly demand multiplier: the 618 week, the Double-11 build-up and week."""
    to_d11 = (weeks - pd.Timestamp("2026-11-09")).days.to_numpy()
    return np.select([weeks == START, to_d11 == 0, (to_d11 >= -21) & (to_d11 < 0)],
                     [1.8, 2.6, 1.3], 1.0)


def _shelf_price(price: float) -> float:
    """A shelf price: 59.9 under 100 yuan, whole yuan above."""
    return float(np.floor(price) + 0.9) if price < 100 else float(np.round(price))


def _price_path(rng: np.random.Generator, list_price: float,
                weeks: pd.DatetimeIndex) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """Weekly prices: small moves and planted cuts, some undone after one to three weeks.

    A small move never drops the price by 5 % or more; a planted cut takes 6-28 % off.
    Returns the prices and the planted (week, old, new).
    """
    d11 = int(np.flatnonzero(weeks == pd.Timestamp("2026-11-09"))[0])
    cut_weeks = {d11} if rng.random() < 0.5 else set()
    if rng.random() < 0.45:
        cut_weeks.add(int(rng.integers(2, len(weeks) - 3)))
    price = _shelf_price(list_price * (1 - rng.uniform(0, 0.12)))
    prices, planted = [price], []
    restore: dict[int, float] = {}
    for week in range(1, len(weeks)):
        if week in restore:
            new = restore.pop(week)
        elif week in cut_weeks and not restore:
            new = _shelf_price(price * (1 - rng.uniform(0.06, 0.28)))
            new = new - 1.0 if new > 0.95 * price else new
            planted.append((week, price, new))
            if rng.random() < 0.6:
                restore[week + int(rng.integers(1, 4))] = price
        elif rng.random() < 0.08:
            new = _shelf_price(price * rng.uniform(0.975, 1.04))
            new = price if new <= 0.95 * price else new
        else:
            new = price
        prices.append(new)
        price = new
    return np.array(prices), planted


def _ratings(rng: np.random.Generator, n: int) -> np.ndarray:
    """A store rating that drifts by 0.1 now and then, between 4.5 and 4.9."""
    steps = rng.choice([-0.1, 0.0, 0.1], size=n, p=[0.06, 0.88, 0.06])
    return np.clip(rng.choice([4.6, 4.7, 4.8]) + np.cumsum(steps), 4.5, 4.9).round(1)


def _own_products(funnel: pd.DataFrame, weeks: pd.DatetimeIndex) -> pd.DataFrame:
    """The own shop's four best sellers, weekly units and GMV counted from the funnel."""
    week = funnel["date"].dt.to_period("W-SUN").dt.start_time
    sold = funnel.assign(week=week).groupby(["week", "product_name", "category"], as_index=False)[
        ["items", "gmv"]].sum()
    top = funnel.groupby("product_name")["gmv"].sum().nlargest(4).index
    sold = sold[sold["product_name"].isin(top)]
    price = dict(zip([p[0] for p in PRODUCTS], [p[2] for p in PRODUCTS], strict=True))
    unit = sold["product_name"].map(price)
    return pd.DataFrame({
        "date": sold["week"], "shop": OWN_SHOP, "product": sold["product_name"],
        "category": sold["category"], "price": unit, "list_price": np.ceil(unit * 1.3),
        "sales": sold["items"], "gmv": sold["gmv"], "rating": 4.8,
    }).query("date in @weeks")


def _own_activity(plan: pd.DataFrame, lives: pd.DataFrame,
                  weeks: pd.DatetimeIndex) -> tuple[float, np.ndarray, np.ndarray]:
    """The own shop's fans at the start, videos published and live sessions per week."""

    def per_week(day: pd.Series) -> np.ndarray:
        week = ((day[day >= 0]) // 7).to_numpy()
        return np.bincount(week, minlength=len(weeks))[: len(weeks)]

    return 8.6e4, per_week(plan["day"]), per_week(lives["day"])


def _shop_weeks(rng: np.random.Generator, shop: str, profile: tuple, weeks: pd.DatetimeIndex,
                activity: tuple[float, np.ndarray, np.ndarray]) -> pd.DataFrame:
    """Shop-level weekly columns: fans, videos, lives, audience and traffic shares."""
    ages, female, traffic = profile
    fans0, videos, lives = activity
    n = len(weeks)
    fans = fans0 * np.cumprod(1 + rng.uniform(0.002, 0.02, n))
    age_share = _shares(np.array(ages) * rng.lognormal(0, 0.04, (n, len(ages))))
    traffic_share = _shares(np.array(traffic) * rng.lognormal(0, 0.06, (n, len(traffic))))
    female_share = np.clip(female + rng.normal(0, 0.01, n), 0, 1).round(3)
    frame = pd.DataFrame({"date": weeks, "shop": shop, "fans": _wan_round(fans),
                          "videos": videos, "lives": lives, "female_share": female_share,
                          "male_share": (1 - female_share).round(3)})
    for i, age in enumerate(("18_23", "24_30", "31_40", "41_50", "50_plus")):
        frame[f"age_{age}_share"] = age_share[:, i]
    for i, source in enumerate(("feed", "search", "shop_window", "ads", "followers", "other")):
        frame[f"traffic_{source}_share"] = traffic_share[:, i]
    return frame


def _shares(weights: np.ndarray) -> np.ndarray:
    """Rows of weights as shares in 0.1 % steps that add up to exactly 100 %."""
    permille = weights / weights.sum(axis=1, keepdims=True) * 1000
    whole = np.floor(permille).astype(int)
    order = np.argsort(whole - permille, axis=1)  # largest remainders first
    short = 1000 - whole.sum(axis=1)
    bump = np.arange(weights.shape[1])[None, :] < short[:, None]
    np.put_along_axis(whole, order, np.take_along_axis(whole, order, axis=1) + bump, axis=1)
    return whole / 1000


def _bucket(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Third-party monitor ranges (…, 5000~7500, 7500~1w, 1w~2.5w, …) around each value."""
    i = np.searchsorted(RANGE_EDGES, values, side="right") - 1
    return RANGE_EDGES[i], RANGE_EDGES[i + 1]


# --- experiments -----------------------------------------------------------------------------

EXPERIMENTS = ("商品卡主图", "短视频开头", "直播话术")


def _experiments(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The three A/B tests stacked in one `experiments` table, and what was planted in each."""
    parts = [_card_test(rng), _opening_test(rng), _script_test(rng)]
    frame = pd.concat([p.sort_values(["date", "user_id"] if "user_id" in p else ["date"])
                       for p, _ in parts], ignore_index=True)
    return frame, {name: truth for name, (_, truth) in zip(EXPERIMENTS, parts, strict=True)}


def _card_test(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Product-card main image, 4 variants, daily aggregates over 14 days; C lifts CTR."""
    ctr = {"A": 0.040, "B": 0.040, "C": 0.046, "D": 0.040}
    dates = pd.date_range("2026-10-12", periods=14)
    frame = pd.DataFrame([(d, v) for d in dates for v in ctr], columns=["date", "variant"])
    impressions = rng.poisson(6000 * WEEKDAY[frame["date"].dt.day_of_week])
    clicks = rng.binomial(impressions, frame["variant"].map(ctr))
    buyers = rng.binomial(clicks, 0.055)
    orders = buyers + rng.binomial(buyers, 0.06)
    revenue = 89.0 * (orders + rng.binomial(orders, 0.15))
    frame = frame.assign(experiment=EXPERIMENTS[0], impressions=impressions, clicks=clicks,
                         orders=orders, buyers=buyers, revenue=revenue.astype(float))
    return frame, {"description": "Main image of the 每日坚果750g card: A is control; C lifts the "
                   "people CTR from 4.0 % to 4.6 % (+15 %); B and D equal A; click-to-buy is "
                   "5.5 % in every variant.", "ctr": ctr, "winner": "C"}


def _opening_test(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Short-video opening, user level over 14 days, no real effect; pre-period revenue given."""
    n = 14_000
    pre = np.where(rng.random(n) < 0.45, rng.lognormal(np.log(90), 0.7, n), 0.0).round(2)
    converted = rng.random(n) < 0.025 + 0.03 * (pre > 0)
    revenue = np.where(converted, rng.lognormal(np.log(70), 0.5, n) + 0.25 * pre, 0.0).round(2)
    frame = pd.DataFrame({
        "experiment": EXPERIMENTS[1],
        "variant": np.where(rng.random(n) < 0.5, "control", "treatment"),
        "user_id": _user_ids(rng.choice(N_USERS, n, replace=False)),
        "date": pd.Timestamp("2026-09-07") + pd.to_timedelta(rng.integers(0, 14, n), unit="D"),
        "converted": converted, "revenue": revenue, "pre_revenue": pre,
    })
    return frame, {"description": "New first 3 seconds of the product videos: no true effect "
                   "on conversion or revenue; pre_revenue (30 days before) predicts revenue, so "
                   "CUPED narrows the interval.", "effect": 0.0}


def _script_test(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Live-room script, user level over 10 days, meant 50/50 but with a sample-ratio mismatch."""
    n, lost = 36_000, 0.065
    treatment = rng.random(n) < 0.5
    converted = rng.random(n) < 0.05
    logged = ~(treatment & ~converted & (rng.random(n) < lost))
    revenue = np.where(converted, rng.lognormal(np.log(120), 0.5, n), 0.0).round(2)
    frame = pd.DataFrame({
        "experiment": EXPERIMENTS[2], "variant": np.where(treatment, "treatment", "control"),
        "user_id": _user_ids(rng.choice(N_USERS, n, replace=False)),
        "date": pd.Timestamp("2026-09-21") + pd.to_timedelta(rng.integers(0, 10, n), unit="D"),
        "converted": converted, "revenue": revenue,
    })[logged]
    return frame, {"description": "New live-room sales script, meant as a 50/50 split: the "
                   f"treatment's tracking lost {lost:.1%} of its non-converting viewers, so the "
                   "split is about 51.6/48.4 (SRM, chi-square p < 0.001) and the naive "
                   "comparison shows a lift that is not there.", "intended_split": (0.5, 0.5),
                   "effect": 0.0}


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """The schema's columns in its order and dtypes; other columns are dropped.

    `x_low` / `x_high` follow a ranged `x`.
    """
    spec = TABLES[table]
    order, dtypes = [], {}
    for column in spec.columns:
        names = [column.name, f"{column.name}_low", f"{column.name}_high"]
        for name in names if column.ranged else names[:1]:
            if name in frame.columns:
                order.append(name)
                dtypes[name] = column.dtype
    return frame[order].astype(dtypes).reset_index(drop=True)


# --- the export files ------------------------------------------------------------------------


def write_sample(shop: ShopData, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the shop as back-office export files; each goes to a temp name, then into place.

    Example:
        >>> import tempfile
        >>> paths = write_sample(make_shop_data(seed=7), tempfile.mkdtemp())
        >>> sorted(p.suffix for p in paths)[:3]
        ['.csv', '.csv', '.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        ("电商罗盘_商品载体明细.csv", _compass_export(shop.funnel), "gb18030"),
        ("电商罗盘_直播间概览.xlsx", _live_export(shop.live_rooms, shop.truth["live_sessions"]),
         None),
        ("创作者中心_作品数据.csv", _creator_export(shop.videos), "utf-8-sig"),
        ("竞品_周度监控.xlsx", _competitor_export(shop.competitors), None),
        *((f"实验_{name}.csv", _experiment_export(shop.experiments, name), "utf-8")
          for name in EXPERIMENTS),
        ("用户行为日志.parquet", shop.events, None),
        ("抖店_订单.csv", _orders_export(shop.orders), "gbk"),
    ]
    return [_save(frame, folder / name, encoding) for name, frame, encoding in files]


def _pin_zip_times(path: Path) -> None:
    """Give an .xlsx one fixed time, so that a rerun writes the same bytes.

    The time goes on its zip members and on its created / modified stamps.
    """
    with zipfile.ZipFile(path) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            info.date_time = (2026, 1, 1, 0, 0, 0)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2026-01-01T00:00:00Z", data)
            new.writestr(info, data)


def _save(frame: pd.DataFrame, path: Path, encoding: str | None) -> Path:
    """Write `df` by the suffix of `path`, then rename it into place.

    CSV in `encoding`, one-sheet Excel, or zstd Parquet with millisecond, delta-encoded
    timestamps and dictionary-encoded text.
    """
    temp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    if path.suffix == ".csv":
        frame.to_csv(temp, index=False, encoding=encoding)
    elif path.suffix == ".xlsx":
        with pd.ExcelWriter(temp, engine="openpyxl", datetime_format="yyyy-mm-dd") as writer:
            frame.to_excel(writer, index=False, sheet_name=path.stem.split("_")[-1])
        _pin_zip_times(temp)
    else:
        text = [c for c in frame.columns if frame[c].dtype == "str"]
        frame.to_parquet(temp, index=False, compression="zstd", compression_level=19,
                         use_dictionary=text, coerce_timestamps="ms",
                         column_encoding={"ts": "DELTA_BINARY_PACKED"})
    os.replace(temp, path)
    return path


def _money(x: pd.Series) -> pd.Series:
    """5652 -> '5,652.00'."""
    return x.map("{:,.2f}".format)


def _percent(x: pd.Series, digits: int = 2) -> pd.Series:
    """0.0325 -> '3.25%'."""
    return x.map(f"{{:.{digits}%}}".format)


def _wan(x: pd.Series) -> pd.Series:
    """12000 -> '1.2万'; smaller counts as they are."""
    return x.map(lambda v: f"{v / 1e4:.1f}万" if v >= 1e4 else str(v))


def _w(x: float) -> str:
    """A range bound as monitors print it: 7500, '1w', '7.5w'."""
    return f"{x / 1e4:g}w" if x >= 1e4 else f"{x:.0f}"


def _compass_export(funnel: pd.DataFrame) -> pd.DataFrame:
    """电商罗盘 product-by-carrier export: 20260615 dates, '5,652.00' money, '3.25%' rates."""
    f = funnel
    return pd.DataFrame({
        "日期": f["date"].dt.strftime("%Y%m%d"), "商品ID": f["product_id"],
        "商品名称": f["product_name"], "商品类目": f["category"],
        "载体类型": f["carrier"].map(CARRIER_ZH), "流量来源": f["channel"].map(CHANNEL_ZH),
        "体裁": f["format"].map(FORMAT_ZH).fillna(""),
        "用户支付金额": _money(f["gmv"]), "成交订单数": f["orders"], "成交件数": f["items"],
        "成交人数": f["buyers"], "千次曝光用户支付金额": _money(f["gmv"] * 1000 / f["impressions"]),
        "商品曝光次数": f["impressions_times"], "商品点击次数": f["clicks_times"],
        "商品加购次数": f["carts_times"],
        "商品曝光点击率": _percent(f["clicks_times"] / f["impressions_times"]),
        "商品点击成交转化率": _percent(f["orders"] / f["clicks_times"]),
        "商品曝光人数": f["impressions"], "商品点击人数": f["clicks"], "商品加购人数": f["carts"],
        "商品曝光点击率（人数）": _percent(f["clicks"] / f["impressions"]),
        "商品点击成交转化率（人数）": _percent(f["buyers"] / f["clicks"]),
        "退款金额": _money(f["refunds"]), "退款订单数": f["refund_orders"],
        "投放消耗": _money(f["ad_cost"]),
    })


def _live_export(rooms: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """电商罗盘 live room daily overview (概览数据（日）): Excel dates, numbers, '3.25%' rates."""
    r = rooms.merge(sessions[["date", "hours", "products"]], on="date")
    return pd.DataFrame({
        "直播间名称": r["creator"], "日期": r["date"], "直播时长(小时)": r["hours"],
        "带货商品数": r["products"], "成交金额": r["gmv"], "成交订单数": r["orders"],
        "成交件数": r["items"], "成交人数": r["buyers"], "直播间退款金额": r["refunds"],
        "退款率": _percent(r["refunds"] / r["gmv"]), "直播间曝光人数": r["room_impressions"],
        "直播间观看人数": r["views"], "直播间观看人次": r["views_times"],
        "商品曝光人数": r["impressions"], "商品点击人数": r["clicks"],
        "商品点击率(人数)": _percent(r["clicks"] / r["impressions"]),
        "观看成交转化率(人数)": _percent(r["buyers"] / r["views"]),
        "点击成交转化率(次数)": _percent(r["orders"] / r["clicks_times"]),
        "投放消耗": r["ad_cost"],
    })


def _creator_export(videos: pd.DataFrame) -> pd.DataFrame:
    """创作者中心 daily video data: '1分5秒' durations, '45.2%' rates, '1.2万' counts."""
    v = videos
    seconds = v["duration_s"].astype(int)
    return pd.DataFrame({
        "日期": v["date"].dt.strftime("%Y-%m-%d"), "作品ID": v["video_id"], "作品名称": v["title"],
        "发布时间": v["published_at"].dt.strftime("%Y-%m-%d %H:%M"),
        "体裁": v["format"].map(FORMAT_ZH), "商品ID": v["product_id"],
        "作品时长": np.where(seconds >= 60, (seconds // 60).astype(str) + "分", "")
        + (seconds % 60).astype(str) + "秒",
        "曝光量": _wan(v["impressions"]), "播放量": _wan(v["plays"]),
        "完播率": _percent(v["completion_rate"], 1), "5s完播率": _percent(v["play_5s_rate"], 1),
        "2s跳出率": _percent(v["bounce_2s_rate"], 1), "平均播放时长": v["avg_play_s"],
        "点赞量": _wan(v["likes"]), "评论量": v["comments"], "分享量": v["shares"],
        "收藏量": v["favorites"], "主页访问量": v["profile_visits"], "粉丝增量": v["new_fans"],
        "点击量": v["clicks"], "成交订单数": v["orders"], "成交金额": v["gmv"].map("{:.2f}".format),
    })


def _competitor_export(competitors: pd.DataFrame) -> pd.DataFrame:
    """Third-party weekly monitor: '2026/6/15' dates, '¥129.00' prices, '7.5w~10w' ranges."""
    c = competitors
    frame = pd.DataFrame({
        "日期": c["date"].dt.year.astype(str) + "/" + c["date"].dt.month.astype(str) + "/"
        + c["date"].dt.day.astype(str),
        "店铺名称": c["shop"], "商品名称": c["product"], "类目": c["category"],
        "到手价": "¥" + _money(c["price"]), "划线价": "¥" + _money(c["list_price"]),
        "近7天销量": c["sales_low"].map(_w) + "~" + c["sales_high"].map(_w),
        "近7天销售额": c["gmv_low"].map(_w) + "~" + c["gmv_high"].map(_w),
        "商品评分": c["rating"], "粉丝数": c["fans"].map(lambda v: f"{v / 1e4:.1f}w"),
        "带货视频数": c["videos"], "直播场次": c["lives"],
    })
    for age in ("18_23", "24_30", "31_40", "41_50", "50_plus"):
        label = age.replace("_plus", "+").replace("_", "-")
        frame[f"{label}岁占比"] = _percent(c[f"age_{age}_share"], 1)
    frame["女性占比"] = _percent(c["female_share"], 1)
    frame["男性占比"] = _percent(c["male_share"], 1)
    for source, label in (("feed", "推荐"), ("search", "搜索"), ("shop_window", "橱窗"),
                          ("ads", "付费"), ("followers", "关注"), ("other", "其他")):
        frame[f"{label}流量占比"] = _percent(c[f"traffic_{source}_share"], 1)
    return frame


def _experiment_export(experiments: pd.DataFrame, name: str) -> pd.DataFrame:
    """One A/B test as its platform export: daily per variant, or one row per user."""
    x = experiments[experiments["experiment"] == name].dropna(axis=1, how="all")
    headers = {"date": "日期", "experiment": "实验名称", "variant": "版本" if "impressions" in x
               else "分组", "user_id": "用户ID", "impressions": "曝光人数",
               "clicks": "点击人数", "orders": "成交订单数", "buyers": "成交人数",
               "converted": "是否转化", "revenue": "成交金额", "pre_revenue": "实验前成交金额"}
    x = x.assign(date=x["date"].dt.strftime("%Y-%m-%d"),
                 **({"converted": x["converted"].map({True: "是", False: "否"})}
                    if "converted" in x else {}))
    money = {c: x[c].map("{:.2f}".format) for c in ("revenue", "pre_revenue") if c in x}
    return x.assign(**money)[[c for c in headers if c in x]].rename(columns=headers)


def _orders_export(orders: pd.DataFrame) -> pd.DataFrame:
    """抖店 order export: Chinese statuses, empty 支付时间 when unpaid."""
    o = orders
    return pd.DataFrame({
        "订单编号": o["order_id"], "用户ID": o["user_id"],
        "下单时间": o["ts"].dt.strftime("%Y-%m-%d %H:%M:%S"),
        "支付时间": o["paid_at"].dt.strftime("%Y-%m-%d %H:%M:%S").fillna(""),
        "订单应付金额": o["amount"].map("{:.2f}".format), "订单状态": o["status"].map(STATUS_ZH),
        "商品数量": o["items"], "商品ID": o["product_id"], "商品名称": o["product_name"],
        "流量载体": o["carrier"].map(CARRIER_ZH), "流量来源": o["channel"].map(CHANNEL_ZH),
    })


# --- reading the bundled files back ----------------------------------------------------------

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"
# each table's files (an old table name still finds them, with a DeprecationWarning)
SAMPLE_FILES: ByTable[tuple[str, ...]] = ByTable({
    "funnel": ("电商罗盘_商品载体明细.csv",),
    "live_rooms": ("电商罗盘_直播间概览.xlsx",),
    "videos": ("创作者中心_作品数据.csv",),
    "competitors": ("竞品_周度监控.xlsx",),
    "experiments": tuple(f"实验_{name}.csv" for name in EXPERIMENTS),
    "events": ("用户行为日志.parquet",),
    "orders": ("抖店_订单.csv",),
})


def cache_folder() -> Path:
    """The user cache's shopnb folder (``$XDG_CACHE_HOME/shopnb``, else ``~/.cache/shopnb``).

    Written here, the lowest module that keeps something there (the generated
    sample); the digest and the charts' JavaScript bundle are kept beside it.

    Example:
        >>> cache_folder().name
        'shopnb'
    """
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "shopnb"


def sample_dir() -> Path:
    """The bundled sample files, generated into the user cache when the package lacks them.

    A wheel, say, installs the package without them; they are then generated once.
    """
    if SAMPLE_DIR.is_dir():
        return SAMPLE_DIR
    cache = cache_folder() / "sample"
    if not (cache / SAMPLE_FILES["orders"][0]).exists():
        write_sample(make_shop_data(), cache)
    return cache


# the loader that reads each table's files
LOADERS: ByTable[Callable[..., pd.DataFrame]] = ByTable({
    "funnel": load.load_funnel, "live_rooms": load.load_live_rooms, "videos": load.load_videos,
    "competitors": load.load_competitors, "experiments": load.load_experiments,
    "events": load.load_events, "orders": load.load_orders})


@functools.cache
def _load_sample(name: str) -> pd.DataFrame:
    frames = [LOADERS[name](sample_dir() / file) for file in SAMPLE_FILES[name]]
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    table.attrs = {"issues": [i for f in frames for i in f.attrs["issues"]],
                   "sources": [s for f in frames for s in f.attrs["sources"]]}
    return table


def load_sample(name: str) -> pd.DataFrame:
    """One table of the bundled sample shop, read from its export files by the loaders.

    Names: funnel, live_rooms, videos, competitors, experiments, events, orders (the
    old names ``experiment`` and ``live`` still work, with a `DeprecationWarning`). Each
    is read once per process; callers get their own frame (pandas' copy-on-write keeps
    the cached one as read, without a second copy of the data).

    Raises:
        ShopDataError: no sample table is called `name`.

    Example:
        >>> load_sample("funnel")["carrier"].sort_values().unique().tolist()
        ['card', 'live', 'video']
    """
    if name not in SAMPLE_FILES:
        raise ShopDataError(f"no sample table {name!r}; choose one of {', '.join(SAMPLE_FILES)}")
    return _load_sample(table_name(name)).copy(deep=False)
