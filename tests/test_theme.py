"""The theme and the zh/en labels."""

from __future__ import annotations

import altair as alt
import pytest

from shopnb import theme


def test_theme_is_registered_and_enabled():
    assert theme.THEME_NAME in alt.theme.names()
    assert alt.theme.active == theme.THEME_NAME


def test_theme_fonts_fall_back_to_a_cjk_font():
    config = theme.shopnb_theme()["config"]
    for font in (config["font"], config["title"]["font"], config["axis"]["labelFont"]):
        assert "Noto Sans CJK SC" in font
        assert font.endswith("sans-serif")


def test_every_label_exists_in_every_language():
    keys = {lang: set(labels) for lang, labels in theme.LABELS.items()}
    assert set(keys) == set(theme.LANGS)
    assert keys["zh"] == keys["en"]


def test_t_fills_fields_and_refuses_unknown_languages_and_keys():
    assert theme.t("daily_trend_title", "en", measure="GMV") == "Daily GMV"
    assert theme.t("orders", "zh") == "订单数"
    with pytest.raises(ValueError, match="zh, en"):
        theme.t("orders", "fr")
    with pytest.raises(KeyError):
        theme.t("no_such_label", "en")
