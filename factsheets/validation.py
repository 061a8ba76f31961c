"""Rules the database cannot hold: selections within the edition, years, budgets, footnote calls."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from factsheets.models import Category, Criterion, Edition, Level, Policy, Vocabulary
from factsheets.richtext import footnote_keys

# Policy field -> the vocabulary its categories must come from.
POLICY_CATEGORY_FIELDS = {
    "policy_type": Vocabulary.POLICY_TYPE,
    "objectives": Vocabulary.OBJECTIVE,
    "focus": Vocabulary.FOCUS,
    "authority_roles": Vocabulary.AUTHORITY_ROLE,
    "beneficiaries": Vocabulary.BENEFICIARY,
    "financial_instruments": Vocabulary.FINANCIAL_INSTRUMENT,
    "technical_instruments": Vocabulary.TECHNICAL_INSTRUMENT,
    "evaluation": Vocabulary.EVALUATION,
    "eu_priorities": Vocabulary.EU_PRIORITY,
}
POLICY_M2M_FIELDS = [
    "objectives", "authority_roles", "beneficiaries", "financial_instruments", "technical_instruments",
    "eu_priorities",
]

# Every text of a factsheet that may call a footnote, in print order.
POLICY_TEXT_FIELDS = [
    "type_detail", "name", "objectives_text", "focus_text", "authorities_text", "beneficiaries_text",
    "financial_instruments_note", "technical_instruments_note", "instruments_text", "history_text",
    "budget_overall_note", "budget_annual_note", "budget_source", "evaluation_text",
]


def validate_policy_categories(*, edition: Edition, selections: dict[str, Iterable[Category] | Category | None]):
    """Refuse any category that is not in the edition's vocabulary for that dimension."""
    errors = {}
    for field, value in selections.items():
        vocabulary = POLICY_CATEGORY_FIELDS[field]
        values = [] if value is None else [value] if isinstance(value, Category) else list(value)
        wrong = [c for c in values if c.edition_id != edition.pk or c.vocabulary != vocabulary]
        if wrong:
            labels = ", ".join(f"“{c.label}”" for c in wrong)
            errors[field] = ValidationError(
                "%(labels)s is not a category of the %(year)s edition's %(vocabulary)s.",
                code="category_outside_edition",
                params={"labels": labels, "year": edition.year, "vocabulary": vocabulary.label.lower()},
            )
    if errors:
        raise ValidationError(errors)


def validate_policy_history(*, period: str, start_year: int | None, end_year: int | None):
    errors = {}
    if end_year is not None and period != Policy.Period.LIMITED:
        errors["end_year"] = ValidationError(
            "An ending year is only given for a policy with a limited period.", code="end_year_unlimited"
        )
    if start_year is not None and end_year is not None and end_year < start_year:
        errors["end_year"] = ValidationError(
            "The ending year (%(end)s) is before the starting year (%(start)s).",
            code="end_before_start", params={"end": end_year, "start": start_year},
        )
    if errors:
        raise ValidationError(errors)


def validate_policy_budget(policy: Policy):
    errors = {}
    for part in ("overall", "annual"):
        amount = getattr(policy, f"budget_{part}_amount")
        currency = getattr(policy, f"budget_{part}_currency")
        if amount is not None and not currency:
            errors[f"budget_{part}_currency"] = ValidationError(
                "Give the currency of the amount.", code="currency_missing"
            )
        if currency and (len(currency) != 3 or not currency.isalpha() or not currency.isupper()):
            errors[f"budget_{part}_currency"] = ValidationError(
                "Use a three-letter ISO 4217 code such as MXN.", code="currency_invalid"
            )
        if amount is not None and currency and currency != "EUR" and policy.budget_exchange_rate is None:
            errors["budget_exchange_rate"] = ValidationError(
                "Give the EUR exchange rate used for the conversion, and its date.", code="rate_missing"
            )
    if policy.budget_exchange_rate is not None and policy.budget_exchange_rate_date is None:
        errors["budget_exchange_rate_date"] = ValidationError(
            "Give the date of the exchange rate.", code="rate_date_missing"
        )
    if errors:
        raise ValidationError(errors)


def validate_assessment(*, edition: Edition, criterion: Criterion, score, level: Level | None):
    """A level of the criterion in levelled editions, a score within the maximum in scored ones."""
    errors = {}
    if criterion.edition_id != edition.pk:
        errors["criterion"] = ValidationError(
            "“%(name)s” is not a criterion of the %(year)s edition.",
            code="criterion_outside_edition", params={"name": criterion.name, "year": edition.year},
        )
    if level is not None and level.criterion_id != criterion.pk:
        errors["level"] = ValidationError(
            "“%(level)s” is a level of another criterion, not of “%(name)s”.",
            code="level_other_criterion", params={"level": level.label, "name": criterion.name},
        )
    if edition.is_scored:
        if level is not None:
            errors["level"] = ValidationError(
                "This edition scores its criteria; choose a score, not a level.", code="level_in_scored"
            )
        if score is not None and criterion.max_score is not None and score > criterion.max_score:
            errors["score"] = ValidationError(
                "The score cannot exceed the maximum of %(max)s.", code="score_over_max",
                params={"max": criterion.max_score},
            )
    elif score is not None:
        errors["score"] = ValidationError(
            "This edition marks a level per criterion; choose a level, not a score.", code="score_in_levelled"
        )
    if errors:
        raise ValidationError(errors)


def undefined_footnote_calls(texts: Iterable[str], keys: Iterable[str]) -> list[str]:
    """Keys called in texts that no footnote defines."""
    defined = set(keys)
    missing = []
    for text in texts:
        for key in footnote_keys(text):
            if key not in defined and key not in missing:
                missing.append(key)
    return missing


# --- footnote calls: what would print wrong -------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_FOOTNOTE_LIKE = re.compile(r"\[\^([^\]\[]{0,60})\]")  # anything written as a call, valid key or not
FOOTNOTE_KEY = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class FootnoteProblem:
    """A footnote call that cannot print (undefined, or inside a tag's attribute), or a footnote never called."""

    kind: str  # "undefined" | "in_attribute" | "unused"
    key: str
    where: str

    @property
    def blocking(self) -> bool:
        return self.kind != "unused"

    def __str__(self):
        if self.kind == "undefined":
            return f"{self.where}: the footnote [^{self.key}] is called but not defined."
        if self.kind == "invalid_key":
            return (f"{self.where}: “[^{self.key}]” is not a footnote call: a key uses lowercase letters, digits "
                    "and hyphens only, e.g. [^source-2023].")
        if self.kind == "in_attribute":
            return (f"{self.where}: the footnote call [^{self.key}] is inside a link's address or title; "
                    "move it into the text.")
        return f"Footnotes: [^{self.key}] is defined but never called."


def _calls_in_attributes(html: str) -> list[str]:
    """Keys called inside tags (attribute values) of sanitised HTML (nh3 escapes < and > in attributes)."""
    return [key for tag in _TAG.findall(html or "") for key in footnote_keys(tag)]


def footnote_problems(*, labelled_texts: Iterable[tuple[str, str, bool]], keys: Iterable[str]) -> list[FootnoteProblem]:
    """Problems of the footnote calls in (where, text, is_rich_text) triples against the defined keys,
    in print order: undefined calls and calls inside attributes (blocking), then unused footnotes (warnings)."""
    defined = list(dict.fromkeys(keys))
    called: set[str] = set()
    problems: list[FootnoteProblem] = []
    for where, text, rich in labelled_texts:
        in_attributes = _calls_in_attributes(text) if rich else []
        for key in dict.fromkeys(in_attributes):
            problems.append(FootnoteProblem("in_attribute", key, where))
        body = _TAG.sub(" ", text or "") if rich else (text or "")
        for written in dict.fromkeys(_FOOTNOTE_LIKE.findall(body)):
            if not FOOTNOTE_KEY.fullmatch(written):
                problems.append(FootnoteProblem("invalid_key", written, where))
        for key in dict.fromkeys(footnote_keys(body)):
            called.add(key)
            if key not in defined:
                problems.append(FootnoteProblem("undefined", key, where))
    problems += [FootnoteProblem("unused", key, "Footnotes") for key in defined if key not in called]
    return problems


# --- what one text and one factsheet may hold --------------------------------------------------------------

# C0 controls but tab, line feed and carriage return, and DEL: they cannot be printed, and spreadsheets (XML)
# refuse them, so one of them would break every later XLSX export.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CAPACITY_DEFAULTS = {
    "FACTSHEETS_MAX_POLICIES": 12,
    "FACTSHEETS_MAX_FOOTNOTES": 200,
    "FACTSHEETS_MAX_REFERENCES": 300,
    "FACTSHEETS_MAX_TEXT_CHARS": 20_000,
}


def capacity(name: str) -> int:
    from django.conf import settings

    return int(getattr(settings, name, CAPACITY_DEFAULTS[name]))


def text_problem(value) -> ValidationError | None:
    """Why a stored text is refused: a control character, or more characters than a text may hold."""
    if not isinstance(value, str):
        return None
    found = CONTROL_CHARACTERS.search(value)
    if found:
        return ValidationError(
            "This text contains an invisible control character (U+%(code)04X) at position %(position)s; it cannot be "
            "printed or exported. Remove it (it often comes from copying out of another program).",
            code="control_character", params={"code": ord(found.group()), "position": found.start() + 1},
        )
    most = capacity("FACTSHEETS_MAX_TEXT_CHARS")
    if len(value) > most:
        return ValidationError(
            "This text has %(length)s characters; a text of a factsheet may hold %(max)s.",
            code="text_too_long", params={"length": len(value), "max": most},
        )
    return None


def factsheet_capacity_problems(factsheet_ids) -> list[str]:
    """Factsheets holding more policies, footnotes or references than a factsheet may (its page must stay
    usable): one message per factsheet and kind."""
    from django.db.models import Count

    from factsheets.models import Factsheet

    limits = {"policies": capacity("FACTSHEETS_MAX_POLICIES"), "footnotes": capacity("FACTSHEETS_MAX_FOOTNOTES"),
              "references": capacity("FACTSHEETS_MAX_REFERENCES")}
    rows = (Factsheet.objects.filter(pk__in=list(factsheet_ids)).select_related("country", "edition")
            .annotate(**{f"n_{kind}": Count(kind, distinct=True) for kind in limits}))
    problems = []
    for factsheet in rows:
        for kind, most in limits.items():
            count = getattr(factsheet, f"n_{kind}")
            if count > most:
                problems.append(f"{factsheet} would hold {count} {kind}; a factsheet may hold {most}.")
    return problems
