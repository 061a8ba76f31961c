"""Rich text: the one allowlist every stored text passes through (nh3), and the field that applies it. Besides
paragraphs, lists, emphasis, links and superscript it keeps a language on a span (<span lang="es">: printed and
tagged as Spanish) and a numbering on a numbered list (<ol class="paren">: "1)"; "decimal": "1.")."""

import re
from html import unescape

import nh3
from django import forms
from django.db import models
from django.utils.html import strip_tags

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "b", "i", "a", "sup", "br", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "span": {"lang"}}
# A numbered list may set its own numbering ("1." or "1)"), whatever its edition prints by default.
ALLOWED_ATTRIBUTE_VALUES = {"ol": {"class": {"decimal", "paren"}}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# A language tag (BCP 47 shape: "es", "es-MX", "pt-BR") marks text in another language than the document's.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}")

# Control characters (C0 but tab and line breaks, DEL) never print and break XLSX exports: rich text drops them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FOOTNOTE_CALL = re.compile(r"\[\^([a-z0-9][a-z0-9-]*)\]")


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "lang":
        return value if LANGUAGE_TAG.fullmatch(value) else None
    return value


def sanitize(html: str | None) -> str:
    """Return html reduced to the allowlist; anything else (scripts, styles, attributes) is dropped."""
    if not html:
        return ""
    cleaned = nh3.clean(
        _CONTROL.sub("", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        attribute_filter=_attribute_filter,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


_BLOCK_EDGE = re.compile(r"</?(p|li|ul|ol)\b[^>]*>|<br\s*/?>", re.IGNORECASE)  # blocks start and end lines
_SPACES = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses (not a no-break space)


def plain_text(value) -> str:
    """A plain-text field as it prints: the characters as typed (angle brackets included), spaces collapsed."""
    return _SPACES.sub(" ", str(value)).strip()


def text_lines(html) -> list[str]:
    """Rich text as it reads: one line per paragraph or list item, tags gone, entities decoded."""
    lines = unescape(strip_tags(_BLOCK_EDGE.sub("\n", _SPACES.sub(" ", str(html))))).split("\n")
    return [line for line in (_SPACES.sub(" ", part).strip() for part in lines) if line]


def footnote_keys(text: str | None) -> list[str]:
    """The footnote keys called in text, in order of appearance."""
    return FOOTNOTE_CALL.findall(text or "")


class RichTextWidget(forms.Textarea):
    """A textarea that the admin's small editor (static/factsheets/admin/richtext.js) turns into rich text."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 5, "class": "vLargeTextField richtext", **(attrs or {})})

    class Media:
        css = {"all": ["factsheets/admin/richtext.css"]}
        js = ["factsheets/admin/richtext.js"]


class RichTextFormField(forms.CharField):
    widget = RichTextWidget

    def clean(self, value):
        return sanitize(super().clean(value))


class RichTextField(models.TextField):
    """A TextField whose value is sanitised with the allowlist whenever it is written to the database."""

    def pre_save(self, model_instance, add):
        value = sanitize(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return sanitize(super().get_prep_value(value))

    def formfield(self, **kwargs):
        return super().formfield(**{**kwargs, "form_class": RichTextFormField, "widget": RichTextWidget})
