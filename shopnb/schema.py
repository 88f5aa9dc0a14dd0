"""The canonical tables: column names, kinds, header aliases, keys and checks.

Every loader returns one of the tables below with English snake_case names,
whatever the export called them. A header matches an alias after
`normalize_header` (full-width characters and brackets folded, spaces dropped,
lower case). Aliases are tried in order, so people counts (人数) win over
times (次数) when an export has both; the times then land in `*_times`.

The names are the package's vocabulary (docs/vocabulary.md): a table has one
name for its loader (`load_<table>`), its sample and its data-folder subfolder,
and a function's key-column argument is named after the canonical column it
defaults to (``date="date"``). Names that changed keep working for one release
with a `DeprecationWarning` (`table_name`, `deprecated`, `renamed_keywords`).

Example:
    >>> TABLES["funnel"].column("clicks").kind
    'count'
    >>> normalize_header("商品曝光点击率（人数）") == normalize_header("商品曝光点击率(人数)")
    True
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ParamSpec, TypeAlias, TypeVar

import numpy as np

from shopnb.errors import ShopDataError

# a day (or a time) as the metric functions take it: whatever `pandas.Timestamp` reads
DateLike: TypeAlias = str | dt.date | np.datetime64

# Kinds of column and the dtype each becomes.
DTYPES = {
    "id": "str",
    "text": "str",
    "count": "Int64",
    "number": "float64",
    "money": "float64",
    "rate": "float64",
    "duration": "float64",
    "date": "datetime64[us]",
    "datetime": "datetime64[us]",
    "flag": "boolean",
}

# Funnel stages in the order a buyer passes them (live rooms add the first two).
# the languages every page, label and report speaks (shopnb.labels holds their words)
LANGS = ("zh", "en")

STAGES = ("room_impressions", "views", "impressions", "clicks", "carts", "orders", "buyers")

CARRIERS = {
    "直播": "live", "直播间": "live", "live": "live",
    "短视频": "video", "视频": "video", "video": "video", "short video": "video",
    "商品卡": "card", "card": "card", "product card": "card",
    "橱窗": "card", "搜索": "card", "商城": "card", "猜你喜欢": "card",
}

CHANNELS = {
    "推荐": "feed", "推荐feed": "feed", "推荐流量": "feed", "短视频推荐": "feed",
    "直播推荐": "feed",
    "feed": "feed",
    "搜索": "search", "search": "search",
    "橱窗": "shop_window", "店铺橱窗": "shop_window", "shop_window": "shop_window",
    "商城": "mall", "猜你喜欢": "mall", "mall": "mall",
    "千川": "ads", "千川广告": "ads", "付费": "ads", "付费流量": "ads", "ads": "ads",
    "关注": "followers", "关注页": "followers", "粉丝": "followers", "followers": "followers",
    "其他": "other", "other": "other",
}

FORMATS = {
    "剧情": "drama", "drama": "drama",
    "测评": "review", "review": "review",
    "直播切片": "live_clip", "live_clip": "live_clip",
    "教程": "tutorial", "tutorial": "tutorial",
    "开箱": "unboxing", "unboxing": "unboxing",
    "口播": "talking", "talking": "talking",
}

EVENTS = {
    "impression": "impression", "exposure": "impression", "曝光": "impression",
    "show": "impression",
    "click": "click", "pv": "click", "view": "click", "点击": "click", "浏览": "click",
    "1": "click",
    "fav": "fav", "collect": "fav", "收藏": "fav", "2": "fav",
    "cart": "cart", "加购": "cart", "3": "cart",
    "order": "order", "下单": "order",
    "pay": "pay", "buy": "pay", "purchase": "pay", "支付": "pay", "购买": "pay", "4": "pay",
}

VARIANTS = {"对照组": "control", "对照": "control", "实验组": "treatment", "实验": "treatment"}

ORDER_STATUS = {
    "待支付": "unpaid", "未支付": "unpaid", "unpaid": "unpaid",
    "已支付": "paid", "待发货": "paid", "已发货": "paid", "paid": "paid",
    "已完成": "completed", "交易成功": "completed", "completed": "completed",
    "已关闭": "cancelled", "已取消": "cancelled", "交易关闭": "cancelled", "cancelled": "cancelled",
    "退款中": "refunding", "已退款": "refunded", "售后完成": "refunded", "refunded": "refunded",
}


_ID_HEADER = re.compile(r"(id|编号|号|code)$")


def looks_like_id(header: object) -> bool:
    """Headers such as 商品ID, 订单编号 or ad_id name identifiers, which stay text.

    >>> looks_like_id("fb_campaign_id"), looks_like_id("消耗")
    (True, False)
    """
    return bool(_ID_HEADER.search(normalize_header(header)))


def normalize_header(header: object) -> str:
    """Fold a header so that spelling variants compare equal.

    >>> normalize_header(" 商品点击-成交转化率（人数） ")
    '商品点击-成交转化率(人数)'
    """
    text = unicodedata.normalize("NFKC", str(header)).replace("\ufeff", "")
    return "".join(text.split()).lower()


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind and the export headers that mean it."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    ranged: bool = False  # "7.5w~10w" becomes name_low / name_high (name = midpoint)

    @property
    def dtype(self) -> str:
        """The pandas dtype a loader gives the column (by its kind)."""
        return DTYPES[self.kind]


@dataclass(frozen=True)
class Table:
    """A canonical table: columns, what must be there, its key and stage checks."""

    name: str
    columns: tuple[Column, ...]
    required: tuple[tuple[str, ...], ...]  # each entry: at least one of these names
    key: tuple[str, ...]
    stage_pairs: tuple[tuple[str, str], ...] = ()  # (earlier, later): later <= earlier
    defaults: tuple[tuple[str, str], ...] = ()  # key columns filled when absent

    def column(self, name: str) -> Column:
        """The column called `name` (`StopIteration` if the table has none)."""
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        """The columns' names, in the table's order."""
        return [c.name for c in self.columns]


def _c(name: str, kind: str, *aliases: str, ranged: bool = False) -> Column:
    return Column(name, kind, (name, *aliases), ranged)


_FUNNEL = Table(
    "funnel",
    (
        _c("date", "date", "日期", "统计日期", "day", "时间", "统计时间"),
        _c("product_id", "id", "商品ID", "商品编号", "宝贝ID", "item_id", "商品id"),
        _c("product_name", "text", "商品名称", "商品", "宝贝名称", "商品标题"),
        _c("category", "text", "商品类目", "类目", "类目名称", "商品类别"),
        _c("carrier", "text", "载体类型", "载体", "成交载体"),
        _c("channel", "text", "渠道", "渠道名称", "流量来源", "流量渠道", "source"),
        _c("format", "text", "体裁", "内容体裁", "内容形式"),
        _c("account_type", "text", "账号类型"),
        _c("creator", "text", "达人名称", "直播间名称", "账号名称"),
        _c("account_id", "id", "抖音号"),
        _c("room_impressions", "count", "直播间曝光人数", "直播间曝光次数"),
        _c("views", "count", "直播间观看人数", "观看人数", "直播间观看次数"),
        _c("impressions", "count", "商品曝光人数", "曝光人数", "商品曝光次数", "曝光次数",
           "曝光", "展现量", "展现"),
        _c("clicks", "count", "商品点击人数", "点击人数", "商品访客数", "访客数",
           "商品点击次数", "点击次数", "点击量", "点击数"),
        _c("carts", "count", "商品加购人数", "加购人数", "商品加购次数", "加购次数",
           "商品加购件数", "加购件数"),
        _c("orders", "count", "成交订单数", "支付订单数", "订单数", "下单订单数",
           "total_conversion", "conversions"),
        _c("buyers", "count", "成交人数", "支付买家数", "买家数", "支付人数",
           "approved_conversion"),
        _c("items", "count", "成交件数", "支付件数"),
        _c("gmv", "money", "用户支付金额", "成交金额", "支付金额", "销售额", "revenue"),
        _c("refunds", "money", "退款金额", "成功退款金额", "直播间退款金额",
           "退款金额(退款时间)", "退款金额(按支付时间计)"),
        _c("refund_orders", "count", "退款订单数", "退款订单数(退款时间)"),
        _c("ad_cost", "money", "投放消耗", "千川消耗", "消耗", "花费", "spent", "spend", "cost"),
        _c("impressions_times", "count", "商品曝光次数", "曝光次数"),
        _c("clicks_times", "count", "商品点击次数", "点击次数", "商品浏览量", "浏览量"),
        _c("carts_times", "count", "商品加购次数", "加购次数"),
        _c("views_times", "count", "直播间观看人次", "直播间观看次数"),
        _c("ctr", "rate", "商品曝光点击率(人数)", "商品曝光-点击转化率(人数)",
           "商品点击率(人数)", "商品曝光点击率", "商品曝光-点击转化率(次数)", "点击率"),
        _c("click_to_deal", "rate", "click_to_deal_rate", "商品点击成交转化率(人数)",
           "商品点击-成交转化率(人数)", "商品点击成交转化率", "点击成交转化率(次数)",
           "商品点击-成交转化率(次数)", "支付转化率"),
        _c("ctr_times", "rate", "商品曝光点击率", "商品曝光-点击转化率(次数)"),
        _c("click_to_deal_times", "rate", "click_to_deal_rate_times", "商品点击成交转化率",
           "点击成交转化率(次数)", "商品点击-成交转化率(次数)"),
        _c("gpm", "money", "千次曝光用户支付金额", "千次曝光成交金额",
           "千次观看用户支付金额", "千次观看成交金额"),
        _c("aov", "money", "客单价"),
        _c("refund_rate", "rate", "退款率", "退款率(支付时间)"),
    ),
    required=(("date",), ("impressions", "clicks", "orders", "buyers", "gmv")),
    key=("date", "product_id", "carrier", "channel", "format", "creator"),
    stage_pairs=(("room_impressions", "views"), ("impressions", "clicks"),
                 ("clicks", "buyers"), ("orders", "buyers")),
    defaults=(("product_id", "all"), ("product_name", "all"), ("carrier", "all"),
              ("channel", "all"), ("format", "all"), ("creator", "all")),
)

# The live room's daily overview (电商罗盘 直播间概览): the funnel's columns at the grain
# day x room (`creator`). A table of its own: its rows total the funnel's live rows, so
# stacking it into `funnel` would count live sales twice.
_LIVE_ROOMS = replace(_FUNNEL, name="live_rooms", key=("date", "creator"), required=(
    ("date",), ("room_impressions", "views", "impressions", "clicks", "orders", "buyers", "gmv")))

_EVENTS = Table(
    "events",
    (
        _c("user_id", "id", "用户ID", "userid", "uid", "用户id", "visitor_id"),
        _c("ts", "datetime", "时间戳", "timestamp", "time", "时间", "event_time", "行为时间"),
        _c("event", "text", "行为类型", "behavior_type", "behavior", "event_type", "action"),
        _c("item_id", "id", "商品ID", "product_id", "商品id"),
        _c("channel", "text", "渠道", "流量来源", "source"),
        _c("carrier", "text", "载体类型", "载体"),
        _c("variant", "text", "实验组", "分组", "group"),
        _c("value", "money", "金额", "售价", "price", "amount"),
        _c("category", "text", "商品类别", "item_category", "类目"),
    ),
    required=(("user_id",), ("ts",), ("event",)),
    key=(),
)

_VIDEOS = Table(
    "videos",
    (
        _c("video_id", "id", "作品ID", "视频ID", "素材ID", "作品id"),
        _c("title", "text", "作品名称", "视频名称", "素材名称", "作品标题"),
        _c("date", "date", "日期", "统计日期"),
        _c("published_at", "datetime", "发布时间", "创建时间"),
        _c("format", "text", "体裁", "内容体裁", "内容形式"),
        _c("status", "text", "发布状态"),
        _c("product_id", "id", "商品ID"),
        _c("duration_s", "duration", "作品时长", "视频时长", "时长"),
        _c("impressions", "count", "曝光", "曝光量", "展现量"),
        _c("plays", "count", "播放量", "播放次数", "播放数"),
        _c("completion_rate", "rate", "完播率"),
        _c("play_3s_rate", "rate", "3秒播放率", "3s播放率"),
        _c("play_5s_rate", "rate", "5秒播放率", "5s完播率", "5秒完播率"),
        _c("bounce_2s_rate", "rate", "2s跳出率", "2秒跳出率"),
        _c("avg_play_s", "duration", "平均播放时长"),
        _c("likes", "count", "点赞量", "点赞数", "点赞"),
        _c("comments", "count", "评论量", "评论数", "评论"),
        _c("shares", "count", "分享量", "分享数", "分享"),
        _c("favorites", "count", "收藏量", "收藏数"),
        _c("profile_visits", "count", "主页访问量"),
        _c("new_fans", "count", "粉丝增量", "新增粉丝数"),
        _c("clicks", "count", "点击量", "商品点击次数", "点击数"),
        _c("orders", "count", "订单数", "成交订单数"),
        _c("gmv", "money", "成交金额", "用户支付金额"),
        _c("ad_cost", "money", "消耗", "花费"),
    ),
    required=(("video_id", "title"),),
    key=("video_id", "date"),
    stage_pairs=(("impressions", "clicks"),),
)

_AGES = ("18_23", "24_30", "31_40", "41_50", "50_plus")
_TRAFFIC = (("feed", "推荐"), ("search", "搜索"), ("shop_window", "橱窗"), ("ads", "付费"),
            ("followers", "关注"), ("other", "其他"))

_COMPETITORS = Table(
    "competitors",
    (
        _c("date", "date", "日期", "周", "统计周", "week", "采集时间", "统计日期"),
        _c("shop", "text", "店铺", "店铺名称", "昵称", "达人昵称", "name", "账号", "merchant",
           "商家"),
        _c("account_id", "id", "抖音号", "达人ID"),
        _c("product", "text", "商品", "商品名称", "manufacturerNumber"),
        _c("category", "text", "类目", "品类", "带货类目", "类目名称", "主营类目",
           "primaryCategories"),
        _c("price", "money", "价格", "售价", "到手价", "客单价", "amountmin"),
        _c("list_price", "money", "原价", "划线价", "amountmax"),
        _c("sales", "count", "销量", "近7天销量", "周销量", "近30天销量", "总销量", ranged=True),
        _c("gmv", "money", "销售额", "近7天销售额", "周销售额", "带货销售总额",
           "销售额区间", ranged=True),
        _c("commission_rate", "rate", "佣金比例", ranged=True),
        _c("rating", "number", "评分", "商品评分", "口碑分"),
        _c("fans", "count", "粉丝数", "fans", "粉丝"),
        _c("likes", "count", "获赞数", "likes", "点赞数"),
        _c("videos", "count", "视频数", "短视频数", "带货视频数", "总带货条数", "videos"),
        _c("lives", "count", "直播场次", "带货直播数", "总带货场次", "直播数"),
        _c("video_gmv", "money", "短视频销售额", "视频销售额", ranged=True),
        _c("live_gmv", "money", "直播销售额", ranged=True),
        *(_c(f"age_{a}_share", "rate", f"{a.replace('_plus', '+').replace('_', '-')}岁占比",
             f"年龄{a.replace('_plus', '+').replace('_', '-')}占比") for a in _AGES),
        _c("female_share", "rate", "女性占比", "女性粉丝占比"),
        _c("male_share", "rate", "男性占比", "男性粉丝占比"),
        *(_c(f"traffic_{en}_share", "rate", f"{zh}流量占比", f"流量来源-{zh}占比")
          for en, zh in _TRAFFIC),
    ),
    required=(("shop",),),
    key=("date", "shop", "account_id", "product"),
    defaults=(("product", "all"), ("account_id", "")),
)

_EXPERIMENTS = Table(
    "experiments",
    (
        _c("experiment", "text", "实验", "实验名称", "test", "experiment_name"),
        _c("variant", "text", "实验组", "分组", "组别", "版本", "group", "version", "arm"),
        _c("user_id", "id", "用户ID", "userid", "uid"),
        _c("date", "date", "日期", "day"),
        _c("ts", "datetime", "timestamp", "时间", "时间戳"),
        _c("impressions", "count", "曝光人数", "曝光", "商品曝光人数", "曝光次数"),
        _c("clicks", "count", "点击人数", "点击", "商品点击人数", "点击次数", "点击量"),
        _c("orders", "count", "订单数", "成交订单数"),
        _c("buyers", "count", "成交人数"),
        _c("converted", "flag", "是否转化", "转化", "conversion"),
        _c("revenue", "money", "成交金额", "用户支付金额", "gmv", "金额"),
        _c("pre_revenue", "money", "实验前成交金额", "实验前金额"),
    ),
    required=(("variant",),),
    key=("experiment", "user_id", "date"),
    stage_pairs=(("impressions", "clicks"), ("clicks", "buyers"), ("orders", "buyers")),
    defaults=(("experiment", "experiment"),),
)

_ORDERS = Table(
    "orders",
    (
        _c("order_id", "id", "订单编号", "订单号", "主订单编号", "子订单编号", "订单ID",
           "invoiceno", "invoice"),
        _c("user_id", "id", "用户ID", "买家ID", "customerid", "customer_id", "userid"),
        _c("ts", "datetime", "下单时间", "订单提交时间", "创建时间", "invoicedate", "order_time"),
        _c("paid_at", "datetime", "支付时间", "付款时间"),
        _c("amount", "money", "订单应付金额", "实付金额", "支付金额", "订单金额", "金额"),
        _c("status", "text", "订单状态", "状态"),
        _c("items", "count", "商品数量", "购买数量", "数量", "quantity"),
        _c("unit_price", "money", "商品单价", "单价", "unitprice"),
        _c("product_id", "id", "商品ID", "stockcode", "item_id"),
        _c("product_name", "text", "商品名称", "选购商品", "description"),
        _c("carrier", "text", "载体类型", "流量载体", "流量体裁"),
        _c("channel", "text", "流量来源", "渠道"),
        _c("country", "text", "国家", "地区"),
    ),
    required=(("order_id",), ("ts",)),
    key=("order_id",),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (_FUNNEL, _LIVE_ROOMS, _EVENTS, _VIDEOS, _COMPETITORS, _EXPERIMENTS,
                        _ORDERS)
}

# --- names that changed ----------------------------------------------------------------------

RENAMED_TABLES = {"experiment": "experiments", "live": "live_rooms"}

_P = ParamSpec("_P")
_R = TypeVar("_R")
_V = TypeVar("_V")


def deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that the name `old` is deprecated in favour of `new` (one release of grace).

    The warning points at the caller of the function that calls this one (the
    user's line, which is where Python and IPython show deprecations); a deeper
    helper passes a larger `stacklevel`.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     deprecated("load_experiment", "load_experiments")
        >>> str(caught[0].message)
        "'load_experiment' is deprecated; use 'load_experiments'"
    """
    warnings.warn(f"{old!r} is deprecated; use {new!r}", DeprecationWarning,
                  stacklevel=stacklevel)


def table_name(name: str) -> str:
    """The canonical name of the table `name`; an old name gives its new one, with a warning.

    Raises:
        ShopDataError: no table is called `name`.

    Example:
        >>> table_name("funnel")
        'funnel'
    """
    if name in TABLES:
        return name
    if name in RENAMED_TABLES:
        deprecated(name, RENAMED_TABLES[name], stacklevel=4)  # the line that named the table
        return RENAMED_TABLES[name]
    raise ShopDataError(f"no table {name!r}; choose one of {', '.join(TABLES)}")


class ByTable(dict[str, _V]):
    """A dict keyed by table name that also answers to a table's old name (with a warning).

    An unknown name is a `ShopDataError`, as everywhere in shopnb.

    Example:
        >>> files = ByTable({"experiments": "实验.csv"})
        >>> "experiment" in files, list(files)
        (True, ['experiments'])
    """

    def __missing__(self, key: str) -> _V:
        if key not in RENAMED_TABLES or not super().__contains__(RENAMED_TABLES[key]):
            raise ShopDataError(f"no table {key!r}; choose one of {', '.join(self)}")
        return self[table_name(key)]

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or (
            key in RENAMED_TABLES and super().__contains__(RENAMED_TABLES[str(key)]))


def renamed_keywords(**old_to_new: str) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Accept a function's old keyword names for one release, with a `DeprecationWarning`.

    Example:
        >>> @renamed_keywords(date_col="date")
        ... def first(*, date: str = "date") -> str:
        ...     return date
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     first(date_col="week")
        'week'
        >>> str(caught[0].message)
        "'first(date_col=...)' is deprecated; use 'first(date=...)'"
    """
    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(func)
        def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(f"{func.__name__}() got both {old}= and {new}=")
                deprecated(f"{func.__name__}({old}=...)", f"{func.__name__}({new}=...)")
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return call

    return decorate
