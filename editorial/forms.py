"""Editorial forms: the change form's version field, decisions and comments, opening an edition (crispy)."""


from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from factsheets.models import MAX_YEAR, Category, Edition, Factsheet, Policy, Section


class FactsheetChangeForm(forms.ModelForm):
    """The factsheet form, carrying the lock version it was loaded with (optimistic locking)."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    force_conflict = False  # set by the admin when the conditional UPDATE found the version gone

    class Meta:
        model = Factsheet
        exclude = ["state", "lock_version", "updated_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields.pop("loaded_version", None)
        elif "loaded_version" in self.fields:
            self.fields["loaded_version"].initial = self.instance.lock_version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "loaded_version" in self.fields:
            loaded = cleaned.get("loaded_version")
            current = (Factsheet.objects.filter(pk=self.instance.pk)
                       .values_list("lock_version", "updated_at", "updated_by__username").first())
            if self.force_conflict or loaded is None or current is None or current[0] != loaded:
                who = current[2] if current and current[2] else "someone else"
                when = timezone.localtime(current[1]).strftime("%H:%M") if current and current[1] else ""
                raise forms.ValidationError(
                    f"{who} saved this factsheet at {when} while you were editing it, so your changes were not "
                    "saved. Your input is still on this page: copy what you need, reload the page to see "
                    "the newest version, and apply your changes again.",
                    code="edit_conflict",
                )
        return cleaned


class DecisionForm(forms.Form):
    """A comment, optionally about a section or a policy, sent with a decision or on its own."""

    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when requesting changes or withdrawing.",
    )
    about = forms.ChoiceField(required=False, label="About")

    def __init__(self, *args, factsheet: Factsheet, sections=None, policies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections if sections is not None else Section.objects.filter(edition=factsheet.edition))
        self.policies = list(policies if policies is not None else Policy.objects.filter(factsheet=factsheet))
        self.fields["about"].choices = (
            [("", "The whole factsheet")]
            + [("Sections", [(f"section:{s.pk}", str(s)) for s in self.sections])]
            + [("Policies", [(f"policy:{p.pk}", f"Policy {p.order}: {p.name}"[:120]) for p in self.policies])]
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def anchor(self) -> dict:
        kind, _, pk = (self.cleaned_data.get("about") or "").partition(":")
        if kind == "section":
            return {"section": next(s for s in self.sections if str(s.pk) == pk)}
        if kind == "policy":
            return {"policy": next(p for p in self.policies if str(p.pk) == pk)}
        return {}


class EditionOpenForm(forms.Form):
    source = forms.ModelChoiceField(queryset=Edition.objects.order_by("-year"), label="Start from",
                                    empty_label=None)
    year = forms.IntegerField(min_value=2000, max_value=MAX_YEAR, label="Year of the new edition")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("preview", "Preview the new edition"))


class CategoryMergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Category.objects.none(), label="Merge into", empty_label=None)

    def __init__(self, *args, source: Category, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Category.objects.filter(
            edition_id=source.edition_id, vocabulary=source.vocabulary).exclude(pk=source.pk).order_by("order", "label")
        self.helper = FormHelper()
        self.helper.add_input(Submit("merge", f"Merge and delete “{source.label}”"))


class AssignForm(forms.Form):
    """Assign the selected factsheets of an edition to an analyst and, optionally, a reviewer."""

    factsheets = forms.ModelMultipleChoiceField(queryset=Factsheet.objects.none(), widget=forms.MultipleHiddenInput)
    analyst = forms.ModelChoiceField(queryset=None, required=False, label="Analyst",
                                     empty_label="(keep the current analyst)")
    reviewer = forms.ModelChoiceField(queryset=None, required=False, label="Reviewer",
                                      empty_label="(keep the current reviewer)")
    any_reviewer = forms.BooleanField(required=False, label="Any reviewer (clear the assigned reviewer)")
    published = forms.ChoiceField(
        required=False, initial="open", widget=forms.RadioSelect, label="Published ones",
        choices=[("open", "open a new draft now, for the analyst to write"),
                 ("allow", "let the analyst start the revision when ready"),
                 ("leave", "leave them published (the analyst can ask you to open a draft)")],
    )

    def __init__(self, *args, edition, analysts, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["factsheets"].queryset = Factsheet.objects.filter(edition=edition)
        self.fields["analyst"].queryset = analysts
        self.fields["reviewer"].queryset = reviewers

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("analyst") or cleaned.get("reviewer") or cleaned.get("any_reviewer")):
            raise forms.ValidationError("Choose an analyst, a reviewer, or “Any reviewer”.")
        return cleaned


def _zone_choices():
    from zoneinfo import available_timezones

    return [(name, name) for name in sorted(available_timezones()) if "/" in name and not name.startswith("Etc/")]


class ReleaseForm(forms.Form):
    """An edition's release: a date, a time and the time zone they are in."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date")
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Time")
    time_zone = forms.ChoiceField(label="Time zone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["time_zone"].choices = _zone_choices()
        self.fields["time_zone"].initial = settings.TIME_ZONE

    def clean(self):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time") and cleaned.get("time_zone"):
            zone = ZoneInfo(cleaned["time_zone"])
            cleaned["at"] = datetime.combine(cleaned["date"], cleaned["time"]).replace(tzinfo=zone)
        return cleaned
