"""Public URLs: the factsheet pages (and their preview images), the edition explorer, compare, the summary report,
the open data, and the sitemap and robots.txt for search engines."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("factsheets/", views.index, name="index"),
    path("factsheets/compare/", views.compare, name="compare"),
    path("factsheets/<int:year>/", views.edition, name="edition"),
    path("factsheets/<int:year>/summary/", views.summary, name="summary"),
    path("factsheets/<int:year>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("factsheets/<int:year>/<slug:country>/", views.factsheet, name="factsheet"),
    path("factsheets/<int:year>/<slug:country>/cover-v<int:number>.png", views.factsheet_cover,
         name="factsheet_cover"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("data/schema.json", views.data_schema, name="data_schema"),
    path("data/catalog.jsonld", views.data_catalog, name="data_catalog"),
    path("data/<int:year>.json", views.data_edition_json, name="data_edition_json"),
    path("data/<int:year>.csv", views.data_edition_csv, name="data_edition_csv"),
    path("data/<int:year>-state-of-play.csv", views.data_edition_state_csv, name="data_edition_state_csv"),
    path("data/<int:year>/<slug:country>.json", views.data_factsheet_json, name="data_factsheet_json"),
    path("data/<int:year>/<slug:country>.csv", views.data_factsheet_csv, name="data_factsheet_csv"),
]
