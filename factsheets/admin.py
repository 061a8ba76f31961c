"""The analysts' admin: a factsheet page organised like the printed factsheet; editions with methodology."""

from django import forms
from django.contrib import admin
from django.db import models
from django_countries import countries

from factsheets import selectors
from factsheets.forms import AssessmentForm, PolicyForm, QualitativeForm
from factsheets.models import (
    Assessment,
    Category,
    Country,
    Criterion,
    Edition,
    Factsheet,
    Footnote,
    Level,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    Topic,
)
from factsheets.validation import POLICY_M2M_FIELDS


class EditionBoundInline:
    """An inline whose forms need the factsheet's edition (its vocabularies and methodology)."""

    def edition_form(self, obj, base):
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None:
            # The admin asks for the formset several times per request: build the edition's form once.
            cache = request.__dict__.setdefault("_edition_forms", {})
            key = (type(self), obj.edition_id)
            if key not in cache:
                cache[key] = self.edition_form(obj.edition, self.form)
            kwargs["form"] = cache[key]
        return super().get_formset(request, obj, **kwargs)


class PolicyInline(EditionBoundInline, admin.StackedInline):
    model = Policy
    form = PolicyForm
    extra = 0
    fieldsets = [
        (None, {"fields": [("order", "policy_type"), "type_detail", "name"]}),
        ("Policy objectives", {"fields": ["objectives", "objectives_text"]}),
        ("Policy focus", {"fields": ["focus", "focus_text"]}),
        ("Responsible authorities", {"fields": ["authority_roles", "authorities_text"]}),
        ("Beneficiaries", {"fields": ["beneficiaries", "beneficiaries_other", "beneficiaries_text"]}),
        ("Instruments", {"fields": [
            "financial_instruments", "financial_instruments_note",
            "technical_instruments", "technical_instruments_note", "instruments_text",
        ]}),
        ("History", {"fields": [("period", "start_year", "end_year"), "history_text"]}),
        ("Budget", {"fields": [
            ("budget_overall_eur", "budget_overall_amount", "budget_overall_currency"), "budget_overall_note",
            ("budget_annual_eur", "budget_annual_amount", "budget_annual_currency"), "budget_annual_note",
            ("budget_exchange_rate", "budget_exchange_rate_date"), "budget_source",
        ]}),
        ("Policy evaluation", {"fields": ["evaluation", "evaluation_text"]}),
        ("Policy alignment with the EU priorities", {"fields": ["eu_priorities"]}),
    ]

    def edition_form(self, edition, base):
        categories = selectors.edition_categories_by_vocabulary(edition=edition)
        return type("EditionPolicyForm", (base,), {"edition": edition, "edition_categories": categories})

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .select_related("policy_type", "focus", "evaluation")
            .prefetch_related(*POLICY_M2M_FIELDS)
        )


class AssessmentInline(EditionBoundInline, admin.TabularInline):
    model = Assessment
    form = AssessmentForm
    extra = 0
    verbose_name = "assessment per criterion"
    verbose_name_plural = "State of cluster policy: assessment per criterion"

    def edition_form(self, edition, base):
        cached = {
            "criteria": list(edition.criteria.all()),
            "levels": list(Level.objects.filter(criterion__edition=edition).select_related("criterion")),
        }
        return type("EditionAssessmentForm", (base,), {"edition": edition, "cached": cached})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "level")


class QualitativeInline(EditionBoundInline, admin.StackedInline):
    model = QualitativeAssessment
    form = QualitativeForm
    extra = 0
    verbose_name = "qualitative assessment"
    verbose_name_plural = "State of cluster policy: qualitative assessment per topic"

    def edition_form(self, edition, base):
        return type("EditionQualitativeForm", (base,), {"edition": edition, "cached": list(edition.topics.all())})

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("topic")


class FootnoteInline(admin.TabularInline):
    model = Footnote
    extra = 0
    verbose_name_plural = "Footnotes (call one in any text as [^key])"


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0
    verbose_name_plural = "References"
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
        models.URLField: {"widget": forms.URLInput(attrs={"class": "vURLField"}), "assume_scheme": "https"},
    }


@admin.register(Factsheet)
class FactsheetAdmin(admin.ModelAdmin):
    list_display = ["country", "edition", "state", "updated_at", "updated_by"]
    list_filter = ["edition", "state"]
    search_fields = ["country__name", "country__code"]
    list_select_related = ["country", "edition", "updated_by"]
    readonly_fields = ["state", "updated_at", "updated_by"]
    inlines = [PolicyInline, AssessmentInline, QualitativeInline, FootnoteInline, ReferenceInline]

    class Media:
        css = {"all": ["factsheets/admin/factsheet.css"]}

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["country", "edition"]})]
        titles = selectors.section_titles(edition=obj.edition)
        return [
            (None, {"fields": [("state", "updated_at", "updated_by")]}),
            (titles.get("introduction", "Introduction"), {"fields": ["introduction"]}),
            (titles.get("policies", "National cluster policy"), {"fields": ["policies_intro"]}),
            (titles.get("assessment", "State of cluster policy"),
             {"fields": ["assessment_intro", "qualitative_intro"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["country", "edition"]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "edition", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["vocabulary", "label", "order", "description"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 40})}}


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    show_change_link = True
    fields = [("name", "long_name", "order", "max_score"), "definition", "note"]


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["year", "assessment_method", "factsheet_count"]
    fieldsets = [
        (None, {"fields": ["year"]}),
        ("Methodology", {"fields": [
            "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro",
            "qualitative_title", "qualitative_layout", "annex_title",
        ]}),
    ]
    inlines = [SectionInline, CriterionInline, TopicInline, CategoryInline]

    def get_queryset(self, request):
        return selectors.edition_list()

    @admin.display(description="factsheets")
    def factsheet_count(self, obj):
        return obj.factsheet_count


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "order", "max_score"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    inlines = [LevelInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "vocabulary", "edition", "order"]
    list_filter = ["edition", "vocabulary"]
    search_fields = ["label"]
    list_select_related = ["edition"]


class CountryForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["code"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code"):
            self.instance.name = countries.name(cleaned["code"])
        return cleaned


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    form = CountryForm
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
