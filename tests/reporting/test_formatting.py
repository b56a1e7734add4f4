"""The shared report number formats (CLI tables and the HTML tearsheet print the same text)."""

from __future__ import annotations

from tradecycle.interfaces.formatting import dollars, money, num, pct


def test_formats_and_the_missing_mark():
    assert pct(0.12345) == "12.35%" and pct(-1.5) == "-150.00%"
    assert num(1234.5678) == "1,234.57" and num(2.5, 0) == "2" and num(0.12345, 4) == "0.1235"
    assert money(-1234567.891) == "-1,234,567.89" and dollars(1234.5) == "$1,234.50"
    assert {pct(None), num(None), money(None), dollars(None)} == {"—"}
