"""Text as people type it: Markdown escapes only what Markdown needs, emoji sequences are
text while bidi overrides and other invisible controls are refused, and every validation
message is in the interface's language."""

from __future__ import annotations

import json

import pytest

from salesops.reports.render import md

NOW = {"SALESOPS_NOW": "2026-11-04T10:00"}
FAMILY = "👨\u200d👩\u200d👧"


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('王"先生" O\'Neil', '王"先生" O\'Neil'),  # quotes stay quotes
        ("<b>粗</b>", "&lt;b&gt;粗&lt;/b&gt;"),
        ("a|b", "a\\|b"),
        ("第一行\n第二行", "第一行 第二行"),
        ("# 标题", "\\# 标题"),
        ("> 引用", "&gt; 引用"),
        ("1#楼", "1#楼"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        (FAMILY, FAMILY),
    ],
)
def test_a_markdown_cell_escapes_only_what_markdown_needs(text, cell):
    assert md(text) == cell


def call(cli, who, name, phone):
    return cli("--json", "--as", who, "call", "log", "--name", name, "--gender", "男",
               "--phone", phone, "--channel", "网络", env=NOW)  # fmt: skip


def test_the_weekly_markdown_keeps_quotes_and_emoji(office, cli):
    li = office.consultants[0].id
    assert call(cli, li, '王"先生"', "13812345678").exit_code == 0
    assert call(cli, li, FAMILY, "13812345679").exit_code == 0
    r = cli("report", "weekly", "--week", "2026-W45", "--format", "md", env=NOW)
    assert r.exit_code == 0, r.output
    assert '| 王"先生" |' in r.output and f"| {FAMILY} |" in r.output
    assert "&#34;" not in r.output and "&\\#34;" not in r.output


def test_emoji_sequences_are_names_and_print_as_they_are(office, cli):
    r = call(cli, office.consultants[0].id, FAMILY, "13812345678")
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["customer"]
    r = cli("customer", "show", cid, env=NOW)
    assert r.exit_code == 0 and f"姓名: {FAMILY}" in r.output
    flag = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    r = call(cli, office.consultants[0].id, f"苏{flag}", "13812345670")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "name",
    ["张\u202e三", "张\u2066三", "张\u200b三", "张\u200d三", "\u200d👩", "张\x1b[31m三"],
)
def test_bidi_overrides_and_invisible_controls_stay_refused(office, cli, name):
    r = call(cli, office.consultants[0].id, name, "13812345678")
    assert r.exit_code == 1
    assert "含有控制字符" in r.output


def test_a_lone_surrogate_gets_a_message_in_the_interfaces_language(office, cli):
    r = call(cli, office.consultants[0].id, "张\udcff", "13812345678")
    assert r.exit_code == 1
    assert "姓名：含有无效的字符（孤立的代理项，多半是编码错误）" in r.output
    r = cli("--lang", "en", "--as", office.consultants[0].id, "call", "log", "--name", "张\udcff",
            "--gender", "男", "--phone", "13812345678", "--channel", "网络", env=NOW)  # fmt: skip
    assert "name: contains an invalid character (a lone surrogate" in r.output
