from decimal import Decimal

from factsheets.formatting import NO_DATA, format_amount, format_budget, format_year


def test_amount_in_millions_with_national_currency():
    assert format_amount(Decimal("1420000"), Decimal("30000000"), "MXN") == "EUR 1.42 million (MXN 30 m)"


def test_small_amounts_are_written_out():
    assert format_amount(Decimal("250000"), None, "") == "EUR 250,000"
    assert format_amount(None, Decimal("5000"), "MXN") == "MXN 5,000"


def test_budget_falls_back_to_no_data():
    assert format_budget(None, None, "", "") == NO_DATA
    assert format_budget(None, None, "", "In EUR[^ecb]") == "In EUR[^ecb]"
    assert format_budget(Decimal("2000000"), None, "EUR", "[^src]") == "EUR 2 million [^src]"


def test_year_or_dash():
    assert format_year(2030) == "2030"
    assert format_year(None) == "-"
