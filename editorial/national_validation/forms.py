"""The forms of national validation: staff sending a factsheet, a contact answering."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from editorial.national_validation.services import SectionAnswer


class ValidationAnswerForm(forms.Form):
    """The national contact's answer: per section "correct" or a correction (comment, suggested text), then
    the verdict on the whole factsheet. Everything typed is kept as plain text."""

    STATUS_CHOICES = [("correct", "Correct"), ("correction", "Propose a correction")]
    comment = forms.CharField(required=False, max_length=5000, label="Anything else you want to tell us (optional)",
                              widget=forms.Textarea(attrs={"rows": 3}))
    verdict = forms.ChoiceField(choices=[("confirmed", "I confirm this factsheet"),
                                         ("corrections", "Corrections needed")])

    def __init__(self, *args, sections, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        current = current or {}
        for section in self.sections:
            answer = current.get(section.pk)
            prefix = f"section-{section.pk}"
            self.fields[f"{prefix}-status"] = forms.ChoiceField(
                choices=self.STATUS_CHOICES, required=False, widget=forms.RadioSelect, label=str(section),
                initial=answer.status if answer else None,
            )
            self.fields[f"{prefix}-comment"] = forms.CharField(
                required=False, max_length=5000, label="What should change, and why",
                widget=forms.Textarea(attrs={"rows": 3}), initial=answer.comment if answer else "",
            )
            self.fields[f"{prefix}-suggestion"] = forms.CharField(
                required=False, max_length=20000, label="Suggested text (optional)",
                widget=forms.Textarea(attrs={"rows": 4}), initial=answer.suggested_text if answer else "",
            )
        verdict = current.get(None)
        if verdict is not None:
            self.fields["comment"].initial = verdict.comment
            self.fields["verdict"].initial = verdict.status

    def section_fields(self, section):
        prefix = f"section-{section.pk}"
        return self[f"{prefix}-status"], self[f"{prefix}-comment"], self[f"{prefix}-suggestion"]

    def answers(self):
        return [SectionAnswer(section=s, status=self.cleaned_data.get(f"section-{s.pk}-status") or "",
                              comment=self.cleaned_data.get(f"section-{s.pk}-comment") or "",
                              suggested_text=self.cleaned_data.get(f"section-{s.pk}-suggestion") or "")
                for s in self.sections]


class ValidationSendForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple,
                                              label="National contacts")
    message = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Message to the contacts")
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Answer by")

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=21)
