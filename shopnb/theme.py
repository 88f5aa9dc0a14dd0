"""The one Altair theme and the zh/en labels.

Colours and fonts live here and nowhere else: chart builders in
`shopnb.charts` name no colour or font, pages take theirs from `FONT` and
`COLORS`. Importing this module registers the Altair theme ``"shopnb"`` and
enables it.

Labels: every text a page or chart shows comes from `LABELS` through `t`, so
each page works in Chinese and English.

Example:
    >>> import altair as alt
    >>> import shopnb.theme as theme
    >>> alt.theme.active
    'shopnb'
    >>> theme.t("gmv", "zh"), theme.t("gmv", "en")
    ('成交金额 (GMV)', 'GMV')
    >>> theme.t("missing_columns", "en", columns="gmv")
    'The data lacks the column(s): gmv.'
"""

from __future__ import annotations

import altair as alt

__all__ = ["COLORS", "FONT", "LABELS", "LANGS", "THEME_NAME", "shopnb_theme", "t"]

THEME_NAME = "shopnb"

# Latin text first, then CJK fonts for the glyphs the Latin fonts lack
# (Noto Sans CJK SC on Linux, PingFang SC on macOS, Microsoft YaHei on Windows).
FONT = (
    "'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'Source Han Sans SC', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)

COLORS = {
    "primary": "#fe2c55",  # the accent of Douyin-style shops
    "secondary": "#25a4c7",
    "text": "#1f2329",
    "muted": "#646a73",
    "grid": "#e5e6eb",
    "background": "#ffffff",
    "warning_bg": "#fff7e6",
    "warning_border": "#ffc53d",
    # categories (carrier, channel, variant ...), colour-blind friendly order
    "category": [
        "#fe2c55",
        "#25a4c7",
        "#f7a600",
        "#5b8ff9",
        "#61ddaa",
        "#7262fd",
        "#78d3f8",
        "#9661bc",
        "#f6903d",
        "#8c8c8c",
    ],
}


@alt.theme.register(THEME_NAME, enable=True)
def shopnb_theme() -> alt.theme.ThemeConfig:
    """The house look: CJK-capable fonts, the shop palette, quiet axes."""
    return {
        "config": {
            "font": FONT,
            "background": COLORS["background"],
            "view": {"continuousWidth": 800, "continuousHeight": 300, "stroke": None},
            "title": {
                "font": FONT,
                "fontSize": 16,
                "fontWeight": 600,
                "color": COLORS["text"],
                "anchor": "start",
                "offset": 12,
            },
            "axis": {
                "labelFont": FONT,
                "titleFont": FONT,
                "labelFontSize": 12,
                "titleFontSize": 12,
                "labelColor": COLORS["muted"],
                "titleColor": COLORS["muted"],
                "gridColor": COLORS["grid"],
                "domainColor": COLORS["grid"],
                "tickColor": COLORS["grid"],
            },
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12},
            "header": {"labelFont": FONT, "titleFont": FONT},
            "text": {"font": FONT, "color": COLORS["text"]},
            "line": {"color": COLORS["primary"], "strokeWidth": 2},
            "point": {"color": COLORS["primary"], "filled": True, "size": 36},
            "bar": {"color": COLORS["primary"]},
            "area": {"color": COLORS["primary"]},
            "range": {"category": COLORS["category"]},
        }
    }


LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "date": "日期",
        "gmv": "成交金额 (GMV)",
        "orders": "订单数",
        "buyers": "成交人数",
        "clicks": "点击人数",
        "impressions": "曝光人数",
        "measure": "指标",
        "language": "语言",
        "overview_title": "店铺概览",
        "overview_subtitle": "每日趋势，{start} 至 {end}，共 {days} 天",
        "daily_trend_title": "每日{measure}",
        "no_data": "没有可显示的数据：表格是空的。请检查导出文件或日期范围。",
        "missing_columns": "数据缺少以下列：{columns}。",
        "not_dates": "列 {columns} 应为日期，但不是。",
        "not_numeric": "以下列应为数字，但不是：{columns}。",
        "not_a_table": "无法读取数据：需要一张表格（DataFrame），收到的是 {kind}。",
    },
    "en": {
        "date": "Date",
        "gmv": "GMV",
        "orders": "Orders",
        "buyers": "Buyers",
        "clicks": "Clicks",
        "impressions": "Impressions",
        "measure": "Measure",
        "language": "Language",
        "overview_title": "Shop overview",
        "overview_subtitle": "Daily trend, {start} to {end}, {days} days",
        "daily_trend_title": "Daily {measure}",
        "no_data": "Nothing to show: the table is empty. Check the export file or the date range.",
        "missing_columns": "The data lacks the column(s): {columns}.",
        "not_dates": "The column {columns} should hold dates but does not.",
        "not_numeric": "These columns should hold numbers but do not: {columns}.",
        "not_a_table": "Cannot read the data: expected a table (DataFrame), got {kind}.",
    },
}


# --- labels of the competitors page (shopnb.pages.competitors) -------------------------------
LABELS["zh"].update({
    "competitors_title": "竞品监控",
    "competitors_subtitle": "{own} 与前 {n} 名竞品，每周，{start} 至 {end}",
    "week": "周",
    "category": "类目",
    "all_categories": "全部类目",
    "rivals": "竞品数",
    "own_shop": "本店",
    "shop": "店铺",
    "sales": "销量",
    "share": "份额",
    "share_range": "份额区间",
    "share_title": "{measure}份额（点击店铺，其他图表只看它与本店）",
    "rank": "排名",
    "price_index_title": "价格指数：本店价 ÷ 竞品中位价 × 100（▼ 竞品降价）",
    "price_index": "价格指数",
    "own_price": "本店价格",
    "rival_median": "竞品中位价",
    "rival_cuts": "竞品降价次数",
    "content_title": "内容产出，{week} 当周",
    "content_kind": "内容",
    "count": "数量",
    "videos": "短视频数",
    "lives": "直播场次",
    "change": "较上周",
    "likes_per_video": "条均点赞",
    "gmv_per_post": "每条内容成交额",
    "audience_title": "受众差异：竞品 − 本店（百分点，虚线为 ±{gap}）",
    "traffic_title": "流量来源差异：竞品 − 本店（百分点，虚线为 ±{gap}）",
    "segment": "人群 / 来源",
    "gap": "差异（百分点）",
    "own_share": "本店占比",
    "rival_share": "竞品占比",
    "seg_18_23": "18–23岁",
    "seg_24_30": "24–30岁",
    "seg_31_40": "31–40岁",
    "seg_41_50": "41–50岁",
    "seg_50_plus": "50岁以上",
    "seg_female": "女性",
    "seg_male": "男性",
    "seg_feed": "推荐",
    "seg_search": "搜索",
    "seg_shop_window": "橱窗",
    "seg_ads": "付费",
    "seg_followers": "关注",
    "seg_other": "其他",
    "lifecycle_title": "本店商品生命周期：相对增长 × 转化率（近{weeks}周对比前{weeks}周）",
    "product": "商品",
    "lc_growth": "相对店铺的增长",
    "gmv_trend": "成交金额变化",
    "conversion": "点击-成交转化率",
    "traffic_cost": "投放费比",
    "stage": "阶段",
    "stage_introduction": "导入期",
    "stage_growth": "成长期",
    "stage_maturity": "成熟期",
    "stage_decline": "衰退期",
    "alerts_title": "价格预警，{week} 当周",
    "no_alerts": "本周没有竞品降价，也没有竞品价格跌破本店价。",
    "alert_kind": "预警",
    "alert_cut": "降价",
    "alert_below_own": "低于本店价",
    "old_price": "原价",
    "new_price": "现价",
    "selected_rival": "下方图表只看 {shop} 与本店（在份额图上双击或点“显示全部竞品”取消）。",
    "show_all_rivals": "显示全部竞品",
    "price_change": "变化",
    "own_shop_missing": "数据里没有本店 {shop}，已改用 {used}。",
    "empty_share": "没有可计算份额的数据。",
    "empty_price_index": "本店与这些竞品没有同类目、有价格的商品，无法比价。",
    "empty_content": "数据里没有短视频数或直播场次。",
    "empty_audience": "数据里没有本店这一周的受众年龄和性别占比。",
    "empty_traffic": "数据里没有本店这一周的流量来源占比。",
    "empty_lifecycle": "没有可用的漏斗数据（需要日期、商品、成交金额、点击和成交人数），"
                       "无法判断商品生命周期。",
    "creator_title": "达人对标：粉丝数 × 条均点赞（前 {n} 名）",
    "fans": "粉丝数",
    "likes": "获赞数",
    "creators_title": "达人对标",
    "creators_subtitle": "{n} 位达人{when}；这是一份达人榜单（有粉丝、获赞、视频数，没有成交额），"
                         "所以显示达人对标。",
    "creator": "达人",
    "likes_per_video_pct": "条均点赞百分位",
    "top_creators": "粉丝最多的 {n} 位",
})
LABELS["en"].update({
    "competitors_title": "Competitor watch",
    "competitors_subtitle": "{own} against its top {n} rivals, weekly, {start} to {end}",
    "week": "Week",
    "category": "Category",
    "all_categories": "All categories",
    "rivals": "Rivals",
    "own_shop": "Own shop",
    "shop": "Shop",
    "sales": "Units sold",
    "share": "Share",
    "share_range": "Share range",
    "share_title": "Share of {measure} (click a shop: the other charts show it against us)",
    "rank": "Rank",
    "price_index_title": "Price index: own price ÷ rivals' median × 100 (▼ rival price cut)",
    "price_index": "Price index",
    "own_price": "Own price",
    "rival_median": "Rivals' median price",
    "rival_cuts": "Rival price cuts",
    "content_title": "Content output, week of {week}",
    "content_kind": "Content",
    "count": "Count",
    "videos": "Videos",
    "lives": "Live sessions",
    "change": "Change on last week",
    "likes_per_video": "Likes per video",
    "gmv_per_post": "GMV per post",
    "audience_title": "Audience gap: rival − own (points; dashed at ±{gap})",
    "traffic_title": "Traffic-source gap: rival − own (points; dashed at ±{gap})",
    "segment": "Segment / source",
    "gap": "Gap (points)",
    "own_share": "Own share",
    "rival_share": "Rival share",
    "seg_18_23": "18–23",
    "seg_24_30": "24–30",
    "seg_31_40": "31–40",
    "seg_41_50": "41–50",
    "seg_50_plus": "50+",
    "seg_female": "Female",
    "seg_male": "Male",
    "seg_feed": "Feed",
    "seg_search": "Search",
    "seg_shop_window": "Shop window",
    "seg_ads": "Ads",
    "seg_followers": "Followers",
    "seg_other": "Other",
    "lifecycle_title": "Own products' life cycle: growth × conversion "
                       "(last {weeks} weeks against the {weeks} before)",
    "product": "Product",
    "lc_growth": "Growth relative to the shop",
    "gmv_trend": "GMV change",
    "conversion": "Click-to-buy conversion",
    "traffic_cost": "Ad cost / GMV",
    "stage": "Stage",
    "stage_introduction": "Introduction",
    "stage_growth": "Growth",
    "stage_maturity": "Maturity",
    "stage_decline": "Decline",
    "alerts_title": "Price alerts, week of {week}",
    "no_alerts": "No rival cut a price this week, and no rival price fell below ours.",
    "alert_kind": "Alert",
    "alert_cut": "Price cut",
    "alert_below_own": "Below our price",
    "old_price": "Old price",
    "new_price": "New price",
    "selected_rival": "The charts below show {shop} against us (double-click the share chart "
                      "or press “All rivals” to clear).",
    "show_all_rivals": "All rivals",
    "price_change": "Change",
    "own_shop_missing": "The data has no shop {shop}; showing {used} as the own shop.",
    "empty_share": "No data to compute shares from.",
    "empty_price_index": "The own shop and these rivals have no priced products in a common "
                         "category: nothing to compare.",
    "empty_content": "The data has no video or live-session counts.",
    "empty_audience": "The data has no age and gender shares of the own shop for this week.",
    "empty_traffic": "The data has no traffic-source shares of the own shop for this week.",
    "empty_lifecycle": "No usable funnel data (date, product, GMV, clicks and buyers): the "
                       "products' life cycle cannot be judged.",
    "creator_title": "Creator benchmark: fans × likes per video (top {n})",
    "fans": "Fans",
    "likes": "Likes",
    "creators_title": "Creator benchmark",
    "creators_subtitle": "{n} creators{when}; this is a creator ranking (fans, likes and videos, "
                         "no sales), so the page shows a creator benchmark.",
    "creator": "Creator",
    "likes_per_video_pct": "Likes-per-video percentile",
    "top_creators": "The {n} with most fans",
})

def t(key: str, lang: str = "zh", **fields: object) -> str:
    """The label `key` in language `lang`, with ``{fields}`` filled in.

    Raises ValueError for a language other than those in `LANGS` and KeyError
    for an unknown key (both are programming errors, caught by the tests).

    Example:
        >>> t("daily_trend_title", "en", measure=t("orders", "en"))
        'Daily Orders'
    """
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    text = LABELS[lang][key]
    return text.format(**fields) if fields else text


# --- A/B tests page (shopnb.pages.experiments) -------------------------------------------------

LABELS["zh"].update({
    "ab_title": "A/B 实验",
    "ab_subtitle": "{experiment}：{start} 至 {end}，{days} 天，{variants} 个版本",
    "ab_experiment": "实验",
    "ab_metrics": "指标",
    "ab_primary": "主要指标",
    "ab_control": "对照组",
    "ab_correction": "多重比较校正",
    "ab_correction_holm": "Holm（控制总错误率）",
    "ab_correction_bh": "Benjamini–Hochberg（控制错误发现率）",
    "ab_correction_none": "不校正",
    "ab_method": "方法",
    "ab_method_frequentist": "频率学派",
    "ab_method_bayesian": "贝叶斯",
    "ab_confidence": "置信水平",
    "ab_dates": "日期",
    "ab_cuped": "CUPED：用 {covariate} 降低方差",
    "ab_sequential": "每天查看也不增加误判（序贯区间）",
    "ab_variant": "版本",
    "ab_metric": "指标",
    "ab_rel_effect": "相对提升",
    "ab_interval": "{level} 区间",
    "ab_control_value": "对照组",
    "ab_treatment_value": "实验组",
    "ab_pvalue": "p 值",
    "ab_pvalue_adjusted": "校正后 p 值",
    "ab_chance_to_win": "胜出概率",
    "ab_expected_loss": "预期损失",
    "ab_users": "样本量",
    "ab_n": "{control} / {treatment}",
    "ab_days_n": "{control} / {treatment} 天",
    "ab_variance_reduction": "方差降低",
    "ab_value": "数值",
    "ab_density": "后验密度",
    "ab_better": "显著更好",
    "ab_worse": "显著更差",
    "ab_not_significant": "不显著",
    "ab_forest_title": "各版本相对{control}的提升（{level} 区间）",
    "ab_cumulative_title": "{metric}：逐日累计提升（看是否有新奇效应）",
    "ab_daily_title": "{metric}：每日各版本",
    "ab_posterior_title": "{metric}：相对提升的后验分布",
    "ab_planner_title": "样本量规划：{metric}",
    "ab_mde": "最小可检测提升 (MDE)",
    "ab_n_per_variant": "每组所需样本",
    "ab_days": "所需天数",
    "ab_planner_summary": "以功效 {power} 检测 {mde} 的相对提升：每组需 {n}，共 {total}；"
                          "按这次实验每天 {traffic} 的流量，约 {days} 天"
                          "（按整周至少 {weeks} 天）。",
    "ab_planner_no_traffic": "以功效 {power} 检测 {mde} 的相对提升：每组需 {n}，共 {total}。",
    "ab_srm_warning": "⚠ 样本比例失衡 (SRM)：各版本的样本量与计划的分流比例不符"
                      "（卡方检验 p = {pvalue}）。分流或埋点出了问题，下面的结果不可信，"
                      "暂不下结论。请先排查分流与数据上报。",
    "ab_verdict": "结论",
    "ab_decision_ship": "上线 {variant}",
    "ab_decision_keep running": "继续运行",
    "ab_decision_stop": "停止实验",
    "ab_decision_no verdict": "暂不下结论",
    "ab_reason_srm": "样本比例检验 p = {pvalue}，低于 0.001。",
    "ab_reason_too_short": "只运行了 {days} 天，至少需要 {min_days} 天。",
    "ab_reason_not_whole_weeks": "已运行 {days} 天，不是整周；请运行到第 {until} 天，"
                                 "让每个星期几出现次数相同。",
    "ab_reason_guardrail_harm": "护栏指标 {metric} 在 {variant} 中显著变差（{rel}）。",
    "ab_reason_significant_gain": "{metric}：{variant} 显著提升 {rel}。",
    "ab_reason_significant_loss": "{metric}：{variant} 显著下降 {rel}。",
    "ab_reason_underpowered": "{metric}：{variant} 目前差异不显著；要检测 {mde} 的变化，"
                              "当前功效只有 {power}，约需再运行 {extra_days} 天"
                              "（样本 ×{factor}）。",
    "ab_reason_too_long": "{metric}：{variant} 差异不显著；要检测 {mde} 的变化约需再运行 "
                          "{extra_days} 天，超过 {max_days} 天上限，结果不确定，"
                          "建议换更大胆的方案。",
    "ab_reason_no_effect": "{metric}：{variant} 没有 {mde} 以上的效果（零结果），功效足够。",
    "ab_excluded": "已排除：{items}。",
    "ab_excluded_missing_variant": "{n} 行没有版本",
    "ab_excluded_mismatch": "{n} 行的版本与 {column} 不一致",
    "ab_excluded_users_in_several_variants": "{n} 位用户出现在多个版本",
    "ab_excluded_repeated_users": "{n} 行重复用户",
    "ab_no_experiments": "没有可分析的实验：表格是空的，或缺少“版本/分组”列。",
    "ab_no_metrics": "这个实验没有可分析的指标列"
                     "（需要 曝光人数 与 点击人数，或 是否转化 / 成交金额）。",
    "ab_no_rows": "所选日期范围内没有数据。",
    "ab_pick_metric": "请至少选择一个指标。",
    "ab_problem": "无法分析这些数据：{detail}",
    "ab_posterior_note": "切换到“贝叶斯”方法可查看后验分布。",
    "metric_ctr": "点击率 (CTR)",
    "metric_click_to_buy": "点击成交转化率",
    "metric_revenue_per_impression": "单次曝光成交金额",
    "metric_order_value": "客单价（每单金额）",
    "metric_conversion": "转化率",
    "metric_revenue": "人均成交金额",
    "metric_orders": "人均订单数",
    "metric_clicks": "人均点击数",
    "metric_revenue_per_buyer": "每位成交用户金额",
})

LABELS["en"].update({
    "ab_title": "A/B tests",
    "ab_subtitle": "{experiment}: {start} to {end}, {days} days, {variants} variants",
    "ab_experiment": "Experiment",
    "ab_metrics": "Metrics",
    "ab_primary": "Primary metric",
    "ab_control": "Control",
    "ab_correction": "Correction",
    "ab_correction_holm": "Holm (family-wise error)",
    "ab_correction_bh": "Benjamini–Hochberg (false discoveries)",
    "ab_correction_none": "None",
    "ab_method": "Method",
    "ab_method_frequentist": "Frequentist",
    "ab_method_bayesian": "Bayesian",
    "ab_confidence": "Confidence",
    "ab_dates": "Dates",
    "ab_cuped": "CUPED: reduce variance with {covariate}",
    "ab_sequential": "Safe to peek daily (sequential intervals)",
    "ab_variant": "Variant",
    "ab_metric": "Metric",
    "ab_rel_effect": "Relative lift",
    "ab_interval": "{level} interval",
    "ab_control_value": "Control",
    "ab_treatment_value": "Treatment",
    "ab_pvalue": "p-value",
    "ab_pvalue_adjusted": "Adjusted p",
    "ab_chance_to_win": "Chance to win",
    "ab_expected_loss": "Expected loss",
    "ab_users": "Sample",
    "ab_n": "{control} / {treatment}",
    "ab_days_n": "{control} / {treatment} days",
    "ab_variance_reduction": "Variance cut",
    "ab_value": "Value",
    "ab_density": "Posterior density",
    "ab_better": "Significantly better",
    "ab_worse": "Significantly worse",
    "ab_not_significant": "Not significant",
    "ab_forest_title": "Lift over {control} ({level} intervals)",
    "ab_cumulative_title": "{metric}: cumulative lift by day (novelty effects show here)",
    "ab_daily_title": "{metric} per day and variant",
    "ab_posterior_title": "{metric}: posterior of the relative lift",
    "ab_planner_title": "Sample size: {metric}",
    "ab_mde": "Minimum detectable lift (MDE)",
    "ab_n_per_variant": "Needed per variant",
    "ab_days": "Days needed",
    "ab_planner_summary": "To detect a {mde} relative lift with {power} power: {n} per variant, "
                          "{total} in all; at this test's {traffic} a day, about {days} days "
                          "(run whole weeks: {weeks} days).",
    "ab_planner_no_traffic": "To detect a {mde} relative lift with {power} power: {n} per "
                             "variant, {total} in all.",
    "ab_srm_warning": "⚠ Sample ratio mismatch (SRM): the variants' sizes do not match the "
                      "planned split (chi-square p = {pvalue}). Assignment or logging is "
                      "broken, so the results below cannot be trusted and no verdict is given. "
                      "Fix the split and the tracking first.",
    "ab_verdict": "Verdict",
    "ab_decision_ship": "Ship {variant}",
    "ab_decision_keep running": "Keep running",
    "ab_decision_stop": "Stop the test",
    "ab_decision_no verdict": "No verdict",
    "ab_reason_srm": "The sample-ratio check gives p = {pvalue}, below 0.001.",
    "ab_reason_too_short": "Only {days} days so far; run at least {min_days}.",
    "ab_reason_not_whole_weeks": "{days} days is not whole weeks; run to day {until} so every "
                                 "weekday counts the same.",
    "ab_reason_guardrail_harm": "Guardrail {metric} is significantly worse in {variant} ({rel}).",
    "ab_reason_significant_gain": "{metric}: {variant} is significantly better, {rel}.",
    "ab_reason_significant_loss": "{metric}: {variant} is significantly worse, {rel}.",
    "ab_reason_underpowered": "{metric}: no significant difference for {variant} yet; the "
                              "power to detect {mde} is only {power}: about {extra_days} more "
                              "days ({factor}x the sample).",
    "ab_reason_too_long": "{metric}: no significant difference for {variant}; detecting {mde} "
                          "would take about {extra_days} more days, past the {max_days}-day "
                          "limit: inconclusive, try a bolder change.",
    "ab_reason_no_effect": "{metric}: no effect of {mde} or more for {variant} (a null result), "
                           "with enough power.",
    "ab_excluded": "Left out: {items}.",
    "ab_excluded_missing_variant": "{n} rows without a variant",
    "ab_excluded_mismatch": "{n} rows whose variant disagrees with {column}",
    "ab_excluded_users_in_several_variants": "{n} users seen in more than one variant",
    "ab_excluded_repeated_users": "{n} repeated rows of the same user",
    "ab_no_experiments": "No experiment to analyse: the table is empty or has no variant column.",
    "ab_no_metrics": "This experiment has no metric columns to analyse (impressions and "
                     "clicks, or converted / revenue).",
    "ab_no_rows": "No data in the chosen dates.",
    "ab_pick_metric": "Pick at least one metric.",
    "ab_problem": "Cannot analyse this data: {detail}",
    "ab_posterior_note": "Switch the method to Bayesian to see the posterior.",
    "metric_ctr": "CTR",
    "metric_click_to_buy": "Click-to-buy rate",
    "metric_revenue_per_impression": "GMV per impression",
    "metric_order_value": "Average order value",
    "metric_conversion": "Conversion",
    "metric_revenue": "Revenue per user",
    "metric_orders": "Orders per user",
    "metric_clicks": "Clicks per user",
    "metric_revenue_per_buyer": "Revenue per buyer",
})
