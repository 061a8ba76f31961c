"""Editorial URLs: the factsheet PDF downloads and the staff draft preview."""

from django.urls import path, register_converter

from editorial import views
from editorial.national_validation import views as validation_views


class CountryConverter:
    regex = "[a-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value).lower()


register_converter(CountryConverter, "iso2")

app_name = "editorial"

urlpatterns = [
    path("factsheets/<int:year>/<iso2:country>.pdf", views.factsheet_download, name="factsheet_download"),
    path(
        "factsheets/<int:year>/<iso2:country>/v<int:number>.pdf",
        views.factsheet_download_version, name="factsheet_download_version",
    ),
    path("editorial/factsheets/<int:pk>/preview.pdf", views.factsheet_preview, name="factsheet_preview"),
    path("validate/<str:token>/", validation_views.validation_page, name="validation"),
    path("validate/<str:token>/draft.pdf", validation_views.validation_draft_pdf, name="validation_draft_pdf"),
]
