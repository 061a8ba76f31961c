"""The analysts' admin: a factsheet page organised like the printed factsheet; editions with methodology."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.text import smart_split, unescape_string_literal
from django_countries import countries

from factsheets import selectors, services
from factsheets.admin_io import DataImportExportMixin, ReadOnlyAdminMixin
from factsheets.forms import AssessmentForm, FactsheetAddForm, PolicyForm, QualitativeForm
from factsheets.models import (
    PRESENTATION_FIELDS,
    Assessment,
    Category,
    CompletenessRule,
    Country,
    Criterion,
    DataImport,
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
)
from factsheets.resources import (
    AssessmentResource,
    CategoryResource,
    CountryResource,
    CriterionResource,
    EditionResource,
    FactsheetResource,
    FootnoteResource,
    LevelResource,
    PolicyResource,
    QualitativeAssessmentResource,
    ReferenceResource,
    SectionResource,
    TopicResource,
)
from factsheets.validation import POLICY_M2M_FIELDS, capacity


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


class CappedInline:
    """An inline holding at most what a factsheet may hold (a setting), enforced on the server too."""

    capacity_setting = ""

    def get_max_num(self, request, obj=None, **kwargs):
        return capacity(self.capacity_setting)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("validate_max", True)
        return super().get_formset(request, obj, **kwargs)


class PolicyInline(CappedInline, EditionBoundInline, admin.StackedInline):
    capacity_setting = "FACTSHEETS_MAX_POLICIES"
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

    def missing_criteria(self, request, obj):
        """The edition's criteria this factsheet has no row for yet (asked several times a request: cached)."""
        if obj is None:
            return []
        cache = request.__dict__.setdefault("_missing_criteria", {})
        if obj.pk not in cache:
            assessed = set(Assessment.objects.filter(factsheet=obj).values_list("criterion_id", flat=True))
            cache[obj.pk] = [c for c in Criterion.objects.filter(edition_id=obj.edition_id).order_by("order")
                             if c.pk not in assessed]
        return cache[obj.pk]

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.missing_criteria(request, obj))


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


class FootnoteInline(CappedInline, admin.TabularInline):
    capacity_setting = "FACTSHEETS_MAX_FOOTNOTES"
    model = Footnote
    extra = 0
    verbose_name_plural = "Footnotes (call one in any text as [^key])"


class ReferenceInline(CappedInline, admin.TabularInline):
    capacity_setting = "FACTSHEETS_MAX_REFERENCES"
    model = Reference
    extra = 0
    verbose_name_plural = "References"
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})},
        models.URLField: {"widget": forms.URLInput(attrs={"class": "vURLField"}), "assume_scheme": "https"},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":  # a language tag ("es"): a narrow box keeps the form within the screen
            kwargs["widget"] = forms.TextInput(attrs={"size": 5})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Factsheet)
class FactsheetAdmin(DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [FactsheetResource]
    list_display = ["country", "edition", "state", "updated_at", "updated_by"]
    list_filter = ["edition", "state"]
    search_fields = [f"{relation}__{name}" if relation else name
                     for relation, names in selectors.FACTSHEET_SEARCH_FIELDS.items() for name in names]
    search_help_text = ("Finds the factsheets that hold every word: in the country's name or code, the texts, "
                        "the policies, the qualitative assessments, the notes or the references.")
    list_select_related = ["country", "edition", "updated_by"]
    readonly_fields = ["state", "updated_at", "updated_by"]
    inlines = [PolicyInline, AssessmentInline, QualitativeInline, FootnoteInline, ReferenceInline]

    class Media:
        css = {"all": ["factsheets/admin/factsheet.css"]}

    def get_search_results(self, request, queryset, search_term):
        words = [unescape_string_literal(bit) if bit[:1] in "\"'" and bit[0] == bit[-1] and len(bit) > 1 else bit
                 for bit in smart_split(search_term)]
        return selectors.factsheet_search(queryset, words=words), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = FactsheetAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["country_code", "edition"]})]
        titles = selectors.section_titles(edition=obj.edition)
        return [
            (None, {"fields": [("updated_at", "updated_by")]}),
            # before the sections: the page's last fieldset sits between the policies and the assessments
            ("This version", {"fields": ["correction_note"], "classes": ["section-version"],
                              "description": "For readers: what a new version of a published factsheet "
                                             "corrects. Approved with the rest, published with the version."}),
            (titles.get("introduction", "Introduction"),
             {"fields": ["introduction"], "classes": ["section-introduction"]}),
            (titles.get("policies", "National cluster policy"),
             {"fields": ["policies_intro", "no_cluster_policy"], "classes": ["section-policies"]}),
            (titles.get("assessment", "State of cluster policy"),
             {"fields": ["assessment_intro", "qualitative_intro"], "classes": ["section-assessment"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["country", "edition"]
        return fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AssessmentInline):
            # one row per criterion of the edition, already there: the missing ones come pre-filled
            kwargs["initial"] = [{"criterion": c.pk} for c in inline.missing_criteria(request, obj)]
        return kwargs

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "edition", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if not change and form.cleaned_data.get("country_code"):
            obj.country = services.country_get_or_create(code=form.cleaned_data["country_code"])
        super().save_model(request, obj, form, change)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class CompletenessRuleInline(admin.TabularInline):
    """What a complete factsheet of the edition holds: Submit, Approve and Publish refuse one that lacks a part."""

    model = CompletenessRule
    extra = 0
    verbose_name = "part a complete factsheet holds"
    verbose_name_plural = "What a complete factsheet holds (Submit, Approve and Publish refuse one that lacks a part)"


class CategoryInlineFormSet(forms.BaseInlineFormSet):
    """A category in use cannot be deleted from the edition page: it is merged into another instead."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            category = form.instance
            if category.pk and selectors.category_policies(category=category).exists():
                raise forms.ValidationError(
                    f"“{category.label}” is used by factsheets and cannot be deleted; merge it into another "
                    "category instead (Categories › the category › Merge into another category)."
                )


class CategoryInline(admin.TabularInline):
    model = Category
    formset = CategoryInlineFormSet
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
class EditionAdmin(DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [EditionResource]
    list_display = ["year", "assessment_method", "factsheet_count"]
    fieldsets = [
        (None, {"fields": ["year"]}),
        ("Methodology", {"fields": [
            "assessment_method", "assessment_table_title", "methodology_intro", "methodology_outro",
            "qualitative_title", "qualitative_layout", "annex_title",
        ]}),
        ("Presentation", {"fields": PRESENTATION_FIELDS, "classes": ["collapse"],
                          "description": "How this edition's PDFs print: captions ({number}, {country} and "
                                         "{title} are filled in), source lines, contents, lists, references."}),
    ]
    inlines = [SectionInline, CriterionInline, TopicInline, CategoryInline, CompletenessRuleInline]

    def get_queryset(self, request):
        return selectors.edition_list()

    @admin.display(description="factsheets")
    def factsheet_count(self, obj):
        return obj.factsheet_count


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [CriterionResource]
    list_display = ["name", "edition", "order", "max_score"]
    list_filter = ["edition"]
    list_select_related = ["edition"]
    inlines = [LevelInline]


@admin.register(Category)
class CategoryAdmin(DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [CategoryResource]
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
class CountryAdmin(DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [CountryResource]
    form = CountryForm
    list_display = ["name", "iso_code"]

    @admin.display(description="code", ordering="code")
    def iso_code(self, obj):
        return str(obj.code.code) if obj.code else ""
    search_fields = ["name", "code"]


# Pages of their own for rows edited inline elsewhere: lists to filter, import into and export from.
# Editing stays on the factsheet and edition pages (edition-bound choices, workflow state).


class EditionRowAdmin(ReadOnlyAdminMixin, DataImportExportMixin, admin.ModelAdmin):
    list_filter = ["edition"]
    list_select_related = ["edition"]


@admin.register(Section)
class SectionAdmin(EditionRowAdmin):
    resource_classes = [SectionResource]
    list_display = ["title", "kind", "number", "order", "edition"]


@admin.register(Topic)
class TopicAdmin(EditionRowAdmin):
    resource_classes = [TopicResource]
    list_display = ["title", "order", "edition"]
    search_fields = ["title"]


@admin.register(Level)
class LevelAdmin(ReadOnlyAdminMixin, DataImportExportMixin, admin.ModelAdmin):
    resource_classes = [LevelResource]
    list_display = ["label", "rank", "criterion", "edition_year"]
    list_filter = ["criterion__edition"]
    list_select_related = ["criterion__edition"]
    search_fields = ["label", "criterion__name"]

    @admin.display(description="edition", ordering="criterion__edition__year")
    def edition_year(self, obj):
        return obj.criterion.edition.year


class FactsheetRowAdmin(ReadOnlyAdminMixin, DataImportExportMixin, admin.ModelAdmin):
    list_filter = ["factsheet__edition", "factsheet__state", "factsheet__country"]
    list_select_related = ["factsheet__country", "factsheet__edition"]
    search_fields = ["factsheet__country__name", "factsheet__country__code"]


@admin.register(Policy)
class PolicyAdmin(FactsheetRowAdmin):
    resource_classes = [PolicyResource]
    list_display = ["name", "order", "policy_type", "factsheet"]
    list_select_related = ["factsheet__country", "factsheet__edition", "policy_type"]
    search_fields = [*FactsheetRowAdmin.search_fields, "name"]


@admin.register(Assessment)
class AssessmentAdmin(FactsheetRowAdmin):
    resource_classes = [AssessmentResource]
    list_display = ["criterion", "score", "level", "factsheet"]
    list_select_related = ["factsheet__country", "factsheet__edition", "criterion", "level"]


@admin.register(QualitativeAssessment)
class QualitativeAssessmentAdmin(FactsheetRowAdmin):
    resource_classes = [QualitativeAssessmentResource]
    list_display = ["topic", "factsheet"]
    list_select_related = ["factsheet__country", "factsheet__edition", "topic"]


@admin.register(Footnote)
class FootnoteAdmin(FactsheetRowAdmin):
    resource_classes = [FootnoteResource]
    list_display = ["key", "factsheet"]
    search_fields = [*FactsheetRowAdmin.search_fields, "key"]


@admin.register(Reference)
class ReferenceAdmin(FactsheetRowAdmin):
    resource_classes = [ReferenceResource]
    list_display = ["order", "short_citation", "factsheet"]

    @admin.display(description="citation")
    def short_citation(self, obj):
        return str(obj)


@admin.register(DataImport)
class DataImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "resource", "file_name", "file_format", "rows", "new", "updated", "skipped", "user"]
    list_filter = ["resource", "file_format"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    readonly_fields = ["factsheet_list"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("factsheets__country", "factsheets__edition")

    @admin.display(description="factsheets")
    def factsheet_list(self, obj):
        return ", ".join(str(f) for f in obj.factsheets.all()) or "—"


@admin.register(NationalContact)
class NationalContactAdmin(admin.ModelAdmin):
    """The people (or roles) at national authorities who validate their country's factsheets."""

    list_display = ["name", "organisation", "email", "country", "active"]
    list_filter = ["active", "country"]
    search_fields = ["name", "organisation", "email", "country__name"]
    list_select_related = ["country"]
    fields = ["country", "name", "organisation", "email", "active"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if str(request.GET.get("country", "")).isdigit():
            initial["country"] = int(request.GET["country"])
        return initial
