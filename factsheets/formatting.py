"""How stored values read in a factsheet: budget amounts, years, 'No data available'."""

from decimal import Decimal

NO_DATA = "No data available"


def _number(value: Decimal) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def format_amount(eur: Decimal | None, amount: Decimal | None, currency: str) -> str:
    """'EUR 1.42 million (MXN 30 m)', 'EUR 250,000', 'MXN 30 m' or '' when nothing is known."""
    parts = []
    if eur is not None:
        parts.append(f"EUR {_number(eur / Decimal(1_000_000))} million" if eur >= 1_000_000 else f"EUR {_number(eur)}")
    if amount is not None and currency and currency != "EUR":
        national = f"{currency} {_number(amount / Decimal(1_000_000))} m" if amount >= 1_000_000 else (
            f"{currency} {_number(amount)}"
        )
        parts.append(f"({national})" if parts else national)
    return " ".join(parts)


def format_budget(eur: Decimal | None, amount: Decimal | None, currency: str, note: str) -> str:
    """The printed budget line: the amount, then its note (which may call a footnote); or NO_DATA."""
    text = " ".join(part for part in (format_amount(eur, amount, currency), note) if part)
    return text or NO_DATA


def format_year(year: int | None) -> str:
    return str(year) if year else "-"
