"""The zh/en labels."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopnb import labels


def test_every_label_exists_in_every_language():
    keys = {lang: set(texts) for lang, texts in labels.LABELS.items()}
    assert set(keys) == set(labels.LANGS)
    assert keys["zh"] == keys["en"]


def test_t_fills_fields_and_refuses_unknown_languages_and_keys():
    assert labels.t("daily_trend_title", "en", measure="GMV") == "Daily GMV"
    assert labels.t("orders", "zh") == "订单数"
    with pytest.raises(ValueError, match="zh, en"):
        labels.t("orders", "fr")
    with pytest.raises(KeyError):
        labels.t("no_such_label", "en")


def test_the_labels_import_no_altair():
    """Anything may name a label: importing them costs no chart library."""
    code = "import sys, shopnb.labels; print('altair' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
