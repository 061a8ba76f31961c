"""Admin forms: category choices limited to the factsheet's edition, rendered without a query per form."""

from django import forms
from django.forms.models import ModelChoiceIterator

from factsheets.models import Assessment, Category, Edition, Factsheet, Policy, QualitativeAssessment
from factsheets.validation import POLICY_CATEGORY_FIELDS, validate_assessment, validate_policy_categories


class CachedChoiceIterator(ModelChoiceIterator):
    """Iterates a list fetched once for the whole formset instead of querying for every form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.cached_objects:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.cached_objects) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return bool(self.field.cached_objects) or self.field.empty_label is not None


def use_cached_choices(field: forms.ModelChoiceField, queryset, objects: list) -> None:
    field.queryset = queryset
    field.cached_objects = objects
    field.iterator = CachedChoiceIterator
    field.widget.choices = field.choices


class PolicyForm(forms.ModelForm):
    """A policy with its dimensions; `edition_categories` is set per formset by the admin."""

    edition = None
    edition_categories: dict[str, list[Category]] = {}

    class Meta:
        model = Policy
        exclude = ["factsheet"]
        widgets = {
            field: forms.CheckboxSelectMultiple(attrs={"class": "category-choices"})
            for field in ("objectives", "authority_roles", "beneficiaries", "financial_instruments",
                          "technical_instruments", "eu_priorities")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.edition is None:
            return
        for name, vocabulary in POLICY_CATEGORY_FIELDS.items():
            if name in self.fields:
                use_cached_choices(
                    self.fields[name],
                    Category.objects.filter(edition=self.edition, vocabulary=vocabulary),
                    self.edition_categories.get(vocabulary, []),
                )

    def clean(self):
        cleaned = super().clean()
        if self.edition is not None:
            selections = {name: cleaned.get(name) for name in POLICY_CATEGORY_FIELDS if name in cleaned}
            try:
                validate_policy_categories(edition=self.edition, selections=selections)
            except forms.ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


class AssessmentForm(forms.ModelForm):
    """One criterion's assessment: the level list offers only that criterion's levels."""

    edition = None
    cached = {}

    class Meta:
        model = Assessment
        fields = ["criterion", "score", "level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.edition is None:
            return
        criteria, levels = self.cached.get("criteria", []), self.cached.get("levels", [])
        use_cached_choices(self.fields["criterion"], self.edition.criteria.all(), criteria)
        from factsheets.models import Level

        criterion_id = self.instance.criterion_id or self.initial.get("criterion")
        if criterion_id:
            own = [level for level in levels if level.criterion_id == int(criterion_id)]
            use_cached_choices(self.fields["level"], Level.objects.filter(criterion_id=criterion_id), own)
            self.fields["level"].label_from_instance = lambda level: level.label
            self.fields["criterion"].disabled = True  # one row per criterion, already there
        else:
            use_cached_choices(self.fields["level"], Level.objects.filter(criterion__edition=self.edition), levels)
            self.fields["level"].label_from_instance = lambda level: f"{level.criterion.name}: {level.label}"

    def clean(self):
        cleaned = super().clean()
        criterion = cleaned.get("criterion")
        if criterion is None or self.edition is None:
            return cleaned
        try:
            validate_assessment(
                edition=self.edition, criterion=criterion, score=cleaned.get("score"), level=cleaned.get("level")
            )
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        return cleaned


class QualitativeForm(forms.ModelForm):
    edition = None
    cached = []

    class Meta:
        model = QualitativeAssessment
        fields = ["topic", "summary", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.edition is not None:
            use_cached_choices(self.fields["topic"], self.edition.topics.all(), self.cached)


class FactsheetAddForm(forms.ModelForm):
    """A new factsheet: any ISO 3166-1 country (its row is created when first used) in an edition."""

    country_code = forms.ChoiceField(label="Country", help_text="Any country: it need not have a factsheet yet.")

    class Meta:
        model = Factsheet
        fields = ["edition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django_countries import countries

        self.fields["country_code"].choices = [("", "---------"), *countries]
        self.fields["edition"].queryset = Edition.objects.order_by("-year")
        self.fields["edition"].empty_label = None
        self.order_fields(["country_code", "edition"])

    def clean(self):
        cleaned = super().clean()
        code, edition = cleaned.get("country_code"), cleaned.get("edition")
        if code and edition and Factsheet.objects.filter(country__code=code, edition=edition).exists():
            from django_countries import countries

            raise forms.ValidationError(
                f"{countries.name(code)} already has a factsheet in the {edition.year} edition."
            )
        return cleaned
