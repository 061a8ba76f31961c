"""Plain values as snapshots, files and forms hold them: decimals and dates from text, a field's label."""

from datetime import date
from decimal import Decimal
from typing import Any


def decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def date_or_none(value: Any) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def field_label(model, name: str) -> str:
    """A model field's verbose name with a capital letter ("Policy objectives")."""
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]
