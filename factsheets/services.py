"""Writes of the factsheet domain: countries, editions from data, factsheets from data, demo users."""

from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django_countries import countries

from factsheets.models import (
    PRESENTATION_FIELDS,
    Assessment,
    Category,
    CompletenessRule,
    Country,
    Criterion,
    Edition,
    Factsheet,
    Footnote,
    Level,
    NationalContact,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    Topic,
    Vocabulary,
)
from factsheets.validation import (
    POLICY_CATEGORY_FIELDS,
    POLICY_M2M_FIELDS,
    POLICY_TEXT_FIELDS,
    undefined_footnote_calls,
    validate_policy_categories,
)
from factsheets.values import date_or_none, decimal_or_none

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_GROUPS = {"analyst": "Analyst", "reviewer": "Reviewer", "editor": "Editor"}


def country_get_or_create(*, code: str) -> Country:
    code = (code or "").strip().upper()
    if code not in dict(countries):
        raise ValidationError(f"“{code}” is not an ISO 3166-1 alpha-2 country code.", code="unknown_country")
    country, _ = Country.objects.get_or_create(code=code, defaults={"name": countries.name(code)})
    return country


def read_yaml(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@transaction.atomic
def edition_load(*, data: dict[str, Any]) -> Edition:
    """Create or update an edition, its sections, vocabularies, criteria with levels and topics from data."""
    edition, _ = Edition.objects.update_or_create(
        year=data["year"],
        defaults={
            "assessment_method": data["assessment_method"],
            "assessment_table_title": data.get("assessment_table_title") or "",
            "methodology_intro": data.get("methodology_intro") or "",
            "methodology_outro": data.get("methodology_outro") or "",
            "qualitative_title": data.get("qualitative_title") or "",
            "qualitative_layout": data.get("qualitative_layout") or Edition.QualitativeLayout.HEADINGS,
            "annex_title": data.get("annex_title") or "",
            **{name: data[name] for name in PRESENTATION_FIELDS if name in data},
        },
    )
    for order, section in enumerate(data.get("sections") or [], start=1):
        Section.objects.update_or_create(
            edition=edition, kind=section["kind"],
            defaults={"number": section.get("number"), "title": section["title"],
                      "divider": section.get("divider", True), "order": order},
        )
    for vocabulary, labels in (data.get("vocabularies") or {}).items():
        if vocabulary not in Vocabulary.values:
            raise ValidationError(f"Unknown vocabulary “{vocabulary}”.")
        for order, label in enumerate(labels, start=1):
            Category.objects.update_or_create(
                edition=edition, vocabulary=vocabulary, label=label, defaults={"order": order}
            )
    for order, item in enumerate(data.get("criteria") or [], start=1):
        criterion, _ = Criterion.objects.update_or_create(
            edition=edition, name=item["name"],
            defaults={
                "long_name": item.get("long_name") or "",
                "definition": item.get("definition") or "",
                "max_score": decimal_or_none(item.get("max_score")),
                "note": item.get("note") or "",
                "order": order,
            },
        )
        for rank, level in enumerate(item.get("levels") or [], start=1):
            Level.objects.update_or_create(
                criterion=criterion, rank=rank,
                defaults={"label": level["label"], "definition": level.get("definition") or ""},
            )
    for order, title in enumerate(data.get("topics") or [], start=1):
        Topic.objects.update_or_create(edition=edition, title=title, defaults={"order": order})
    for item in data.get("completeness") or []:
        item = item if isinstance(item, dict) else {"part": item}
        if item["part"] not in CompletenessRule.Part.values:
            raise ValidationError(f"Unknown part “{item['part']}” in the completeness rules.")
        CompletenessRule.objects.update_or_create(edition=edition, part=item["part"],
                                                  defaults={"minimum": item.get("minimum", 1)})
    return edition


@transaction.atomic
def factsheet_load(*, data: dict[str, Any], by=None) -> Factsheet:
    """Create a factsheet with all its content from data; validates everything or writes nothing."""
    country = country_get_or_create(code=data["country"])
    try:
        edition = Edition.objects.get(year=data["edition"])
    except Edition.DoesNotExist:
        raise ValidationError(f"There is no {data['edition']} edition.", code="unknown_edition") from None
    if Factsheet.objects.filter(country=country, edition=edition).exists():
        raise ValidationError(f"{country} already has a {edition.year} factsheet.", code="duplicate")
    categories = {(c.vocabulary, c.label): c for c in edition.categories.all()}

    def category(vocabulary: str, label: str | None) -> Category | None:
        if not label:
            return None
        try:
            return categories[(vocabulary, label)]
        except KeyError:
            raise ValidationError(
                f"“{label}” is not in the {edition.year} edition's vocabulary “{vocabulary}”.",
                code="category_outside_edition",
            ) from None

    factsheet = Factsheet.objects.create(
        country=country, edition=edition, updated_by=by,
        introduction=data.get("introduction") or "",
        policies_intro=data.get("policies_intro") or "",
        assessment_intro=data.get("assessment_intro") or "",
        qualitative_intro=data.get("qualitative_intro") or "",
    )
    for order, item in enumerate(data.get("policies") or [], start=1):
        budget = item.get("budget") or {}
        policy = Policy(
            factsheet=factsheet, order=order,
            policy_type=category(Vocabulary.POLICY_TYPE, item["policy_type"]),
            focus=category(Vocabulary.FOCUS, item.get("focus")),
            evaluation=category(Vocabulary.EVALUATION, item.get("evaluation")),
            beneficiaries_other=item.get("beneficiaries_other") or "",
            period=item.get("period") or "",
            start_year=item.get("start_year"),
            end_year=item.get("end_year"),
            budget_overall_eur=decimal_or_none(budget.get("overall_eur")),
            budget_overall_amount=decimal_or_none(budget.get("overall_amount")),
            budget_overall_currency=budget.get("overall_currency") or "",
            budget_overall_note=budget.get("overall_note") or "",
            budget_annual_eur=decimal_or_none(budget.get("annual_eur")),
            budget_annual_amount=decimal_or_none(budget.get("annual_amount")),
            budget_annual_currency=budget.get("annual_currency") or "",
            budget_annual_note=budget.get("annual_note") or "",
            budget_exchange_rate=decimal_or_none(budget.get("exchange_rate")),
            budget_exchange_rate_date=date_or_none(budget.get("exchange_rate_date")),
            budget_source=budget.get("source") or "",
        )
        for field in POLICY_TEXT_FIELDS:
            if field in item:
                setattr(policy, field, item[field] or "")
        policy.full_clean(exclude=["factsheet"])
        policy.save()
        selections = {
            field: [category(POLICY_CATEGORY_FIELDS[field], label) for label in item.get(field) or []]
            for field in POLICY_M2M_FIELDS
        }
        validate_policy_categories(edition=edition, selections=selections)
        for field, values in selections.items():
            getattr(policy, field).set(values)
    criteria = {c.name: c for c in edition.criteria.prefetch_related("levels")}
    for item in data.get("assessments") or []:
        criterion = criteria.get(item["criterion"])
        if criterion is None:
            raise ValidationError(f"“{item['criterion']}” is not a criterion of the {edition.year} edition.")
        level = None
        if item.get("level"):
            level = next((lv for lv in criterion.levels.all() if lv.label == item["level"]), None)
            if level is None:
                raise ValidationError(f"“{item['level']}” is not a level of “{criterion.name}”.")
        Assessment.objects.create(
            factsheet=factsheet, criterion=criterion, level=level, score=decimal_or_none(item.get("score"))
        )
    topics = {t.title: t for t in edition.topics.all()}
    for item in data.get("qualitative") or []:
        topic = topics.get(item["topic"])
        if topic is None:
            raise ValidationError(f"“{item['topic']}” is not a topic of the {edition.year} edition.")
        QualitativeAssessment.objects.create(
            factsheet=factsheet, topic=topic, summary=item.get("summary") or "", text=item.get("text") or ""
        )
    for item in data.get("footnotes") or []:
        Footnote.objects.create(factsheet=factsheet, key=item["key"], text=item["text"])
    for order, item in enumerate(data.get("references") or [], start=1):
        reference = Reference(
            factsheet=factsheet, order=order, citation=item["citation"], url=item.get("url") or "",
            url_label=item.get("url_label") or "", last_accessed=date_or_none(item.get("last_accessed")),
            sub_item=bool(item.get("sub_item")), language=item.get("language") or "",
        )
        reference.full_clean(exclude=["factsheet"])
        reference.save()
    factsheet_check_footnotes(factsheet=factsheet)
    return factsheet


def factsheet_texts(factsheet: Factsheet) -> list[str]:
    """Every text of a factsheet that may call a footnote, in print order."""
    texts = [factsheet.introduction, factsheet.policies_intro]
    for policy in factsheet.policies.all():
        texts.extend(getattr(policy, field) for field in POLICY_TEXT_FIELDS)
    texts.append(factsheet.assessment_intro)
    texts.append(factsheet.qualitative_intro)
    for item in factsheet.qualitative.all():
        texts.extend([item.summary, item.text])
    return texts


def factsheet_check_footnotes(*, factsheet: Factsheet) -> None:
    missing = undefined_footnote_calls(factsheet_texts(factsheet), [f.key for f in factsheet.footnotes.all()])
    if missing:
        raise ValidationError(
            "These footnotes are called but not defined: %(keys)s.",
            code="footnote_undefined", params={"keys": ", ".join(f"[^{k}]" for k in missing)},
        )


@transaction.atomic
def demo_load(*, data_dir: Path = DATA_DIR, by=None) -> dict[str, list[str]]:
    """Load the demo editions and factsheets; factsheets that already exist are left as they are."""
    report: dict[str, list[str]] = {"editions": [], "created": [], "kept": []}
    for path in sorted((data_dir / "editions").glob("*.yaml")):
        report["editions"].append(str(edition_load(data=read_yaml(path)).year))
    for path in sorted((data_dir / "factsheets").glob("*.yaml")):
        data = read_yaml(path)
        exists = Factsheet.objects.filter(
            country__code=str(data["country"]).upper(), edition__year=data["edition"]
        ).exists()
        label = f"{data['country']} {data['edition']}"
        if exists:
            report["kept"].append(label)
        else:
            factsheet_load(data=data, by=by)
            report["created"].append(label)
    contacts = data_dir / "contacts.yaml"
    if contacts.exists():
        for item in read_yaml(contacts) or []:
            country = country_get_or_create(code=item["country"])
            contact = NationalContact(country=country, name=item["name"], organisation=item["organisation"],
                                      email=item["email"])
            if not NationalContact.objects.filter(country=country, email=contact.email).exists():
                contact.full_clean()
                contact.save()
    return report


@transaction.atomic
def demo_users_ensure() -> list[str]:
    """Create the demo users analyst, reviewer, editor (password = name) and the superuser admin."""
    User = get_user_model()
    created = []
    for username, group_name in DEMO_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
        )
        if was_created:
            user.set_password(username)
            user.save()
            created.append(username)
        user.groups.add(group)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.org", "admin")
        created.append("admin")
    return created



