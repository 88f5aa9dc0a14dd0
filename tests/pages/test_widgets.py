"""Shared page pieces: the friendly message."""

from __future__ import annotations

from shopnb.pages import _html


def test_message_is_escaped_text_not_a_traceback():
    html = _html.message_html("<b>列 gmv</b> 缺失")
    assert "&lt;b&gt;列 gmv&lt;/b&gt; 缺失" in html
    assert 'class="shopnb-message"' in html
