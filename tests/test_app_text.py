"""The page's words for the values a run uses (no browser needed)."""

from tuopin.app import _dibao_line


def test_dibao_line_says_when_two_lines_in_one_overrides_the_slider():
    base = {"dibao.line_ratio": 0.8, "dibao.aligned": False, "dibao.aligned_from_year": 9999}
    assert _dibao_line(base) == "低保 line 0.80 × the poverty line"
    assert _dibao_line({**base, "dibao.aligned": True}).endswith("(raised to 1.00 by 两线合一, dibao.aligned)")
    assert _dibao_line({**base, "dibao.aligned_from_year": 2018}).endswith("(raised to 1.00 from 2018 by 两线合一)")
    assert _dibao_line({**base, "dibao.line_ratio": 1.2, "dibao.aligned": True}) == "低保 line 1.20 × the poverty line"
