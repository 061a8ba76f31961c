"""The search page's input: the query (web-search syntax), an edition, a country and a page number, each checked
against what is published; anything malformed is reported and nothing is searched."""

from django import forms

from portal.search.query import MAX_CHARS, Query, QueryError, parse
from portal.search.selectors import MAX_PAGE


class SearchForm(forms.Form):
    q = forms.CharField(label="Words to find", required=False, strip=True)
    edition = forms.TypedChoiceField(label="Edition", required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label="Country", required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, data, *, years: list[int], countries: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["edition"].choices = [("", "All editions"), *[(str(y), f"{y} edition") for y in years]]
        self.fields["country"].choices = [("", "All countries"), *countries]
        self.fields["q"].widget.attrs.update({"maxlength": MAX_CHARS, "type": "search"})
        self.query: Query | None = None

    def clean_q(self) -> str:
        text = self.cleaned_data["q"]
        if text:
            try:
                self.query = parse(text)
            except QueryError as error:
                raise forms.ValidationError(str(error)) from error
        return text

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1
