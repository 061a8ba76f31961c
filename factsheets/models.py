"""The factsheet domain: editions with their methodology and vocabularies, countries, factsheets."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django_countries.fields import CountryField

from factsheets.richtext import LANGUAGE_TAG, RichTextField

MIN_YEAR = 1900
MAX_YEAR = 2100


class PrintableTextModel(models.Model):
    """Every text of these models is validated (forms, imports, loaders call full_clean): no control character,
    no text longer than a factsheet text may be (FACTSHEETS_MAX_TEXT_CHARS)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        from factsheets.validation import text_problem

        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if (exclude and field.name in exclude) or field.name in errors:
                continue
            if isinstance(field, (models.CharField, models.TextField)):
                problem = text_problem(getattr(self, field.attname))
                if problem is not None:
                    errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)


class Edition(PrintableTextModel):
    """One edition of the factsheets (2020, 2023, …): it owns its methodology, sections and vocabularies."""

    class AssessmentMethod(models.TextChoices):
        SCORE = "score", "Numeric scores against maxima (maturity index)"
        LEVEL = "level", "Ordered categorical levels (state of play)"

    class QualitativeLayout(models.TextChoices):
        TABLE = "table", "Table: one row per topic"
        HEADINGS = "headings", "Headings: one heading per topic"

    year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2000), MaxValueValidator(MAX_YEAR)]
    )
    assessment_method = models.CharField(max_length=10, choices=AssessmentMethod.choices)
    assessment_table_title = models.CharField(max_length=200, blank=True)
    methodology_intro = RichTextField(blank=True, help_text="Printed before the list of criteria.")
    methodology_outro = RichTextField(blank=True, help_text="Printed after the list of criteria.")
    qualitative_title = models.CharField(max_length=200, blank=True)
    qualitative_layout = models.CharField(
        max_length=10, choices=QualitativeLayout.choices, default=QualitativeLayout.HEADINGS
    )
    annex_title = models.CharField(max_length=200, blank=True)
    # --- how this edition's factsheets are printed (each edition keeps its own presentation) -----------------
    contents_title = models.CharField(max_length=100, default="Contents")
    contents_lists_itself = models.BooleanField(default=False, help_text="The contents page lists itself first.")
    policy_table_caption = models.CharField(
        max_length=300, blank=True, help_text="Table 1's caption, e.g. “Table {number} - Overview of cluster policy "
                                              "in {country}”; empty: no caption.")
    assessment_table_caption = models.CharField(max_length=300, blank=True, help_text="E.g. “Table {number}: {title}”.")
    qualitative_table_caption = models.CharField(max_length=300, blank=True)
    annex_table_caption = models.CharField(max_length=300, blank=True, help_text="E.g. “Table {number}: {title}”.")
    chart_caption = models.CharField(max_length=300, blank=True, help_text="Under the score chart; empty: none.")
    source_lines = models.BooleanField(default=True, help_text="“Source: ECCP (year).” under each table.")

    class ListStyle(models.TextChoices):
        DECIMAL = "decimal", "1. 2. 3."
        PAREN = "paren", "1) 2) 3)"

    class BulletStyle(models.TextChoices):
        BULLET = "bullet", "• bullets"
        DASH = "dash", "- dashes"

    class ReferenceStyle(models.TextChoices):
        PLAIN = "plain", "Entries with the address and “(last access dd.mm.yyyy).”"
        BULLETED = "bulleted", "Bulleted entries, worded as typed (e.g. “Available at: address”)"

    ordered_list_style = models.CharField(
        max_length=10, choices=ListStyle.choices, default=ListStyle.DECIMAL,
        help_text="Numbered lists that do not set their own numbering.",
    )
    bullet_style = models.CharField(max_length=10, choices=BulletStyle.choices, default=BulletStyle.BULLET)
    reference_style = models.CharField(max_length=10, choices=ReferenceStyle.choices, default=ReferenceStyle.PLAIN)
    validation_required = models.BooleanField(
        default=False, help_text="A national authority's confirmation is required before a factsheet is approved "
                                 "(otherwise it is shown to reviewers, not required).",
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=MAX_YEAR), name="edition_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.year} edition"

    @property
    def is_scored(self) -> bool:
        return self.assessment_method == self.AssessmentMethod.SCORE


class CompletenessRule(models.Model):
    """One part a complete factsheet of an edition holds: Submit, Approve and Publish refuse a factsheet that
    lacks it (each edition lists its own parts, as data)."""

    class Part(models.TextChoices):
        INTRODUCTION = "introduction", "The introduction"
        POLICIES = "policies", "Policies (at least the minimum), or the “no cluster policy” statement with its reason"
        ASSESSMENTS = "assessments", "Every criterion assessed (a level or a score)"
        QUALITATIVE = "qualitative", "The qualitative text of every topic"
        REFERENCES = "references", "References (at least the minimum)"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="completeness_rules")
    part = models.CharField(max_length=20, choices=Part.choices)
    minimum = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="For policies and references: how many at least.",
    )

    class Meta:
        ordering = ["edition", "part"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "part"], name="completeness_rule_unique_part"),
        ]

    def __str__(self):
        return self.get_part_display()


# How an edition prints its factsheets (each edition keeps the presentation of its own published PDFs).
PRESENTATION_FIELDS = [
    "contents_title", "contents_lists_itself", "policy_table_caption", "assessment_table_caption",
    "qualitative_table_caption", "annex_table_caption", "chart_caption", "source_lines", "ordered_list_style",
    "bullet_style", "reference_style",
]


class Section(PrintableTextModel):
    """A section of an edition's factsheets, in print order, with its number and title."""

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "Introduction"
        POLICIES = "policies", "Cluster policies (Table 1)"
        ASSESSMENT = "assessment", "State of cluster policy"
        REFERENCES = "references", "References"
        ANNEX = "annex", "Annex"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty when unnumbered.")
    title = models.CharField(max_length=200)
    divider = models.BooleanField(default=True, help_text="Opens on a divider page.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="section_unique_kind"),
            models.UniqueConstraint(fields=["edition", "order"], name="section_unique_order"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}" if self.number else self.title


class Vocabulary(models.TextChoices):
    POLICY_TYPE = "policy_type", "Policy types"
    OBJECTIVE = "objective", "Policy objectives"
    FOCUS = "focus", "Policy focus"
    AUTHORITY_ROLE = "authority_role", "Responsible-authority roles"
    BENEFICIARY = "beneficiary", "Beneficiaries"
    FINANCIAL_INSTRUMENT = "financial_instrument", "Financial instruments"
    TECHNICAL_INSTRUMENT = "technical_instrument", "Technical-assistance instruments"
    EVALUATION = "evaluation", "Evaluation availability"
    EU_PRIORITY = "eu_priority", "EU priorities"


def validate_label_separator(value: str):
    if "|" in (value or ""):
        raise ValidationError(
            "A label cannot contain “|”: it separates several labels in one cell of an import file.",
            code="label_separator",
        )


class CategoryQuerySet(models.QuerySet):
    def delete(self):
        from factsheets.guards import categories_in_use_refuse

        categories_in_use_refuse(list(self))  # before the delete's transaction starts, so it stays usable
        return super().delete()


class Category(PrintableTextModel):
    """A standardised category of an edition's vocabulary, applied for comparison across countries."""

    objects = CategoryQuerySet.as_manager()

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="categories")
    vocabulary = models.CharField(max_length=30, choices=Vocabulary.choices)
    label = models.CharField(max_length=300, validators=[validate_label_separator])
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "vocabulary", "order", "label"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "vocabulary", "label"], name="category_unique_label"
            ),
            models.CheckConstraint(condition=~Q(label__contains="|"), name="category_label_no_separator"),
        ]

    def __str__(self):
        return self.label

    def delete(self, *args, **kwargs):
        from factsheets.guards import categories_in_use_refuse

        categories_in_use_refuse([self])
        return super().delete(*args, **kwargs)


class CategoryMerge(PrintableTextModel):
    """A category merged into another: its label still maps there (reverting to an earlier revision, carrying
    a factsheet forward), so history written with the old label stays restorable."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="category_merges")
    vocabulary = models.CharField(max_length=30, choices=Vocabulary.choices)
    label = models.CharField(max_length=300)
    into = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="merged_from")
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["edition", "vocabulary", "label"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "vocabulary", "label"], name="category_merge_unique_label"),
        ]

    def __str__(self):
        return f"{self.label} → {self.into.label}"


class Criterion(PrintableTextModel):
    """An assessment criterion of an edition's methodology."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    long_name = models.CharField(max_length=200, blank=True, help_text="Name in the annex, if different.")
    definition = RichTextField(blank=True)
    max_score = models.DecimalField(
        max_digits=4, decimal_places=1, null=True, blank=True, help_text="Scored editions only."
    )
    note = models.CharField(max_length=500, blank=True, help_text="Printed under the score table.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "order"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="criterion_unique_name"),
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gt=0), name="criterion_max_score_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_long_name(self) -> str:
        return self.long_name or self.name


class Level(PrintableTextModel):
    """An ordered categorical level of a criterion (lowest first)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    label = models.CharField(max_length=300)
    definition = models.CharField(max_length=500, blank=True, help_text="Wording in the annex.")
    rank = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["criterion", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "rank"], name="level_unique_rank"),
            models.UniqueConstraint(fields=["criterion", "label"], name="level_unique_label"),
        ]

    def __str__(self):
        return self.label


class Topic(PrintableTextModel):
    """A topic of the qualitative assessment (a criterion heading in 2023, a table row in 2020)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["edition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "title"], name="topic_unique_title"),
        ]

    def __str__(self):
        return self.title


class Country(PrintableTextModel):
    """A country, identified by its ISO 3166-1 code (names from django-countries)."""

    code = CountryField(unique=True)
    name = models.CharField(max_length=100, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name or str(self.code.name)


class NationalContact(PrintableTextModel):
    """Someone at a country's national authority who validates its factsheets (through a private link)."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="national_contacts")
    name = models.CharField(max_length=200, help_text="A person or a role, e.g. “National cluster policy contact”.")
    organisation = models.CharField(max_length=300)
    email = models.EmailField()
    active = models.BooleanField(default=True, help_text="Inactive contacts are not offered for new requests.")

    class Meta:
        ordering = ["country__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "email"], name="national_contact_unique_email"),
        ]

    def __str__(self):
        return f"{self.name}, {self.organisation}"


class State(models.TextChoices):
    """Where a factsheet's working copy stands in the editorial workflow (the transitions live in editorial)."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The states in which a factsheet's content may be changed (by its form, an import, a revert).
EDITABLE_STATES = frozenset({State.DRAFT, State.CHANGES_REQUESTED})


class Factsheet(PrintableTextModel):
    """The factsheet of one country in one edition."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="factsheets")
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="factsheets")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    lock_version = models.PositiveIntegerField(default=1, help_text="Raised on every save (optimistic locking).")
    introduction = RichTextField(blank=True)
    policies_intro = RichTextField(blank=True, help_text="Printed before Table 1.")
    assessment_intro = RichTextField(blank=True, help_text="Printed before the assessment table.")
    qualitative_intro = RichTextField(blank=True, help_text="Printed before the qualitative assessment.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Writes this factsheet: it is in their queues whoever touched it last.",
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Reviews this factsheet (optional: otherwise any reviewer).",
    )
    analyst_may_reopen = models.BooleanField(
        default=False, help_text="The assigned analyst may start a revision of the published factsheet (allowed "
                                 "by the editor who assigned it).",
    )
    no_cluster_policy = models.BooleanField(
        default=False, verbose_name="No cluster policy",
        help_text="The country has no cluster policy to list in Table 1; the policies introduction says why.",
    )
    correction_note = models.CharField(
        max_length=500, blank=True, verbose_name="Public note on this version",
        help_text="Required for a new version of a published factsheet: what it corrects, for readers (e.g. "
                  "“Corrects the 2021 budget of the Nuevo León strategy”). Shown with the version on the public "
                  "page, in the PDF, the data and the feed.",
    )

    class Meta:
        ordering = ["-edition__year", "country__name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "edition"], name="factsheet_unique_country_edition"),
        ]

    def __str__(self):
        return f"{self.country} {self.edition.year}"


def policy_uid() -> str:
    """A new policy's stable identifier (a UUID as text, so that revision snapshots hold it as it is)."""
    return str(uuid.uuid4())


class Policy(PrintableTextModel):
    """One column of Table 1: a policy with every dimension of the edition's grid."""

    class Period(models.TextChoices):
        LIMITED = "limited", "Limited period"
        UNLIMITED = "unlimited", "Unlimited period"

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="policies")
    uid = models.CharField(
        "identifier", max_length=36, default=policy_uid, editable=False,
        help_text="Stable across versions and editions: revisions and carry-forward keep it; the open data shows it.",
    )
    order = models.PositiveSmallIntegerField(default=1)
    policy_type = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.POLICY_TYPE},
    )
    type_detail = models.CharField(
        max_length=300, blank=True, help_text="Shown in brackets after the type, e.g. a region."
    )
    name = models.CharField(max_length=500)

    objectives = models.ManyToManyField(
        Category, blank=True, related_name="+", limit_choices_to={"vocabulary": Vocabulary.OBJECTIVE}
    )
    objectives_text = RichTextField(blank=True)
    focus = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.FOCUS},
    )
    focus_text = RichTextField(blank=True)
    authority_roles = models.ManyToManyField(
        Category, blank=True, related_name="+", limit_choices_to={"vocabulary": Vocabulary.AUTHORITY_ROLE}
    )
    authorities_text = RichTextField(blank=True)
    beneficiaries = models.ManyToManyField(
        Category, blank=True, related_name="+", limit_choices_to={"vocabulary": Vocabulary.BENEFICIARY}
    )
    beneficiaries_other = models.CharField(max_length=300, blank=True, help_text='Printed as "Other: …".')
    beneficiaries_text = RichTextField(blank=True)
    financial_instruments = models.ManyToManyField(
        Category, blank=True, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.FINANCIAL_INSTRUMENT},
    )
    financial_instruments_note = models.CharField(max_length=500, blank=True)
    technical_instruments = models.ManyToManyField(
        Category, blank=True, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.TECHNICAL_INSTRUMENT},
    )
    technical_instruments_note = models.CharField(max_length=500, blank=True)
    instruments_text = RichTextField(blank=True)

    period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    end_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text="Only for policies with a limited period.",
    )
    history_text = RichTextField(blank=True)

    budget_overall_eur = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    budget_overall_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    budget_overall_currency = models.CharField(max_length=3, blank=True)
    budget_overall_note = models.CharField(max_length=500, blank=True)
    budget_annual_eur = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    budget_annual_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    budget_annual_currency = models.CharField(max_length=3, blank=True)
    budget_annual_note = models.CharField(max_length=500, blank=True)
    budget_exchange_rate = models.DecimalField(
        max_digits=14, decimal_places=6, null=True, blank=True, help_text="EUR for 1 unit of the currency."
    )
    budget_exchange_rate_date = models.DateField(null=True, blank=True)
    budget_source = RichTextField(blank=True)

    evaluation = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"vocabulary": Vocabulary.EVALUATION},
    )
    evaluation_text = RichTextField(blank=True)
    eu_priorities = models.ManyToManyField(
        Category, blank=True, related_name="+", limit_choices_to={"vocabulary": Vocabulary.EU_PRIORITY}
    )

    class Meta:
        ordering = ["factsheet", "order"]
        verbose_name_plural = "policies"
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "order"], name="policy_unique_order"),
            models.UniqueConstraint(fields=["factsheet", "uid"], name="policy_unique_uid"),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | (Q(start_year__gte=MIN_YEAR) & Q(start_year__lte=MAX_YEAR)),
                name="policy_start_year_range",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | (Q(end_year__gte=MIN_YEAR) & Q(end_year__lte=MAX_YEAR)),
                name="policy_end_year_range",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="policy_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(period="limited"),
                name="policy_end_year_only_when_limited",
            ),
            models.CheckConstraint(
                condition=Q(budget_overall_eur__isnull=True) | Q(budget_overall_eur__gte=0),
                name="policy_budget_overall_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(budget_annual_eur__isnull=True) | Q(budget_annual_eur__gte=0),
                name="policy_budget_annual_non_negative",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from factsheets.validation import validate_policy_budget, validate_policy_history

        validate_policy_history(period=self.period, start_year=self.start_year, end_year=self.end_year)
        validate_policy_budget(self)


class Assessment(models.Model):
    """A factsheet's score (scored editions) or level (levelled editions) on one criterion."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="assessments")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["factsheet", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "criterion"], name="assessment_unique_criterion"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=Decimal("0")), name="assessment_score_non_negative"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.level or self.score}"


class QualitativeAssessment(PrintableTextModel):
    """The qualitative text of a factsheet on one topic of its edition."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="qualitative")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    summary = RichTextField(blank=True, help_text="Standardised answer printed in bold before the text.")
    text = RichTextField(blank=True)

    class Meta:
        ordering = ["factsheet", "topic__order"]
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "topic"], name="qualitative_unique_topic"),
        ]

    def __str__(self):
        return str(self.topic)


class Footnote(PrintableTextModel):
    """A footnote, called in any text of its factsheet as [^key]; numbered by order of first call."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="footnotes")
    key = models.SlugField(max_length=50, help_text="Call it in a text as [^key].")
    text = RichTextField()

    class Meta:
        ordering = ["factsheet", "id"]
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "key"], name="footnote_unique_key"),
        ]

    def __str__(self):
        return f"[^{self.key}]"


class Reference(PrintableTextModel):
    """A bibliographic reference of a factsheet."""

    factsheet = models.ForeignKey(Factsheet, on_delete=models.CASCADE, related_name="references")
    order = models.PositiveSmallIntegerField(default=0)
    citation = models.TextField(max_length=2000)
    url = models.URLField(max_length=2000, blank=True)
    url_label = models.CharField(
        max_length=2000, blank=True, help_text="The address as printed, if not the link itself (e.g. “www.…”).",
    )
    last_accessed = models.DateField(null=True, blank=True)
    sub_item = models.BooleanField(default=False, help_text="Printed as a sub-item of the entry above.")
    language = models.CharField(
        max_length=35, blank=True,
        validators=[RegexValidator(rf"\A{LANGUAGE_TAG.pattern}\Z", "Give a language tag, e.g. “es”.")],
        help_text="The citation's language when it is not English, as a language tag (e.g. “es”): screen readers "
                  "then read it in that language.",
    )

    class Meta:
        ordering = ["factsheet", "order"]
        constraints = [
            models.UniqueConstraint(fields=["factsheet", "order"], name="reference_unique_order"),
        ]

    def __str__(self):
        return self.citation[:80]



class DataImport(models.Model):
    """A bulk import that went through: who, which file and format, what it changed, which factsheets."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resource = models.CharField(max_length=100)
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=10, blank=True)
    rows = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    factsheets = models.ManyToManyField(Factsheet, blank=True, related_name="data_imports")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.resource} from {self.file_name or 'a file'} ({self.created_at:%Y-%m-%d %H:%M})"
