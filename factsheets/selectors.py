"""Reads of the factsheet domain that carry their own select_related/prefetch_related."""

from django.db.models import Count, Q, QuerySet

from factsheets.models import Category, Edition, Factsheet, Footnote, Policy, QualitativeAssessment, Section
from factsheets.richtext import RichTextField
from factsheets.validation import POLICY_CATEGORY_FIELDS, POLICY_M2M_FIELDS, POLICY_TEXT_FIELDS, footnote_problems
from factsheets.values import field_label


def edition_list() -> QuerySet[Edition]:
    return Edition.objects.annotate(factsheet_count=Count("factsheets"))


def edition_categories_by_vocabulary(*, edition: Edition) -> dict[str, list[Category]]:
    grouped: dict[str, list[Category]] = {}
    for category in Category.objects.filter(edition=edition).order_by("vocabulary", "order", "label"):
        grouped.setdefault(category.vocabulary, []).append(category)
    return grouped


def section_titles(*, edition: Edition) -> dict[str, str]:
    return {s.kind: str(s) for s in Section.objects.filter(edition=edition)}


def factsheet_list() -> QuerySet[Factsheet]:
    return Factsheet.objects.select_related("country", "edition", "updated_by")


# What the admin's factsheet search reads: the factsheet's country and texts, and the texts of its policies,
# qualitative assessments, notes and references (by relation).
FACTSHEET_SEARCH_FIELDS: dict[str, list[str]] = {
    "": ["country__name", "country__code", "introduction", "policies_intro", "assessment_intro", "qualitative_intro"],
    "policies": [*POLICY_TEXT_FIELDS, "beneficiaries_other"],
    "qualitative": ["summary", "text"],
    "footnotes": ["text"],
    "references": ["citation", "url_label"],
}


def factsheet_search(queryset: QuerySet[Factsheet], *, words: list[str]) -> QuerySet[Factsheet]:
    """The factsheets of a queryset that hold every word (case-insensitive) in any of those texts. Each related
    table is read through a subquery, so no factsheet is listed twice and the rows of its policies, notes and
    references are never multiplied together."""
    for word in words:
        found = Q()
        for relation, fields in FACTSHEET_SEARCH_FIELDS.items():
            matches = Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR)
            if relation:
                related = Factsheet._meta.get_field(relation).related_model
                found |= Q(pk__in=related.objects.filter(matches).values("factsheet"))
            else:
                found |= matches
        queryset = queryset.filter(found)
    return queryset


def factsheet_labelled_texts(*, factsheet: Factsheet) -> list[tuple[str, str, bool]]:
    """Every text of a factsheet that may call a footnote, in print order, as (where, text, is rich text);
    `where` names the section as the edition titles it, e.g. "2. National cluster policy › Policy 1 › Name"."""
    titles = section_titles(edition=factsheet.edition)
    intro = titles.get(Section.Kind.INTRODUCTION, "Introduction")
    policies = titles.get(Section.Kind.POLICIES, "Cluster policies")
    assessment = titles.get(Section.Kind.ASSESSMENT, "State of cluster policy")
    rich = {f.name for f in Policy._meta.concrete_fields if isinstance(f, RichTextField)}
    out = [
        (f"{intro} › {field_label(Factsheet, 'introduction')}", factsheet.introduction, True),
        (f"{policies} › {field_label(Factsheet, 'policies_intro')}", factsheet.policies_intro, True),
    ]
    for policy in Policy.objects.filter(factsheet=factsheet).order_by("order"):
        for name in POLICY_TEXT_FIELDS:
            out.append((f"{policies} › Policy {policy.order} › {field_label(Policy, name)}", getattr(policy, name),
                        name in rich))
    out += [
        (f"{assessment} › {field_label(Factsheet, 'assessment_intro')}", factsheet.assessment_intro, True),
        (f"{assessment} › {field_label(Factsheet, 'qualitative_intro')}", factsheet.qualitative_intro, True),
    ]
    for item in QualitativeAssessment.objects.filter(factsheet=factsheet).select_related("topic").order_by(
            "topic__order"):
        out.append((f"{assessment} › {item.topic.title} › summary", item.summary, True))
        out.append((f"{assessment} › {item.topic.title} › text", item.text, True))
    return out


def factsheet_footnote_problems(*, factsheet: Factsheet):
    """What in the factsheet's footnote calls would print wrong (blocking) or is left over (warnings)."""
    keys = Footnote.objects.filter(factsheet=factsheet).order_by("id").values_list("key", flat=True)
    return footnote_problems(labelled_texts=factsheet_labelled_texts(factsheet=factsheet), keys=keys)


def category_policies(*, category: Category) -> QuerySet:
    """The policies that use a category (as their type, focus, evaluation or in a multiple selection)."""
    condition = Q()
    for name in POLICY_CATEGORY_FIELDS:
        if name in POLICY_M2M_FIELDS:  # one subquery per link table, no join across all of them
            through = getattr(Policy, name).through
            condition |= Q(pk__in=through.objects.filter(category_id=category.pk).values("policy_id"))
        else:
            condition |= Q(**{f"{name}_id": category.pk})
    return Policy.objects.filter(condition).select_related("factsheet__country", "factsheet__edition")
