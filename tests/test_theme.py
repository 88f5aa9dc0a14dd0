"""The one Altair theme."""

from __future__ import annotations

import altair as alt

from shopnb import theme


def test_theme_is_registered_and_enabled():
    assert theme.THEME_NAME in alt.theme.names()
    assert alt.theme.active == theme.THEME_NAME


def test_theme_fonts_fall_back_to_a_cjk_font():
    config = theme.shopnb_theme()["config"]
    for font in (config["font"], config["title"]["font"], config["axis"]["labelFont"]):
        assert "Noto Sans CJK SC" in font
        assert font.endswith("sans-serif")
