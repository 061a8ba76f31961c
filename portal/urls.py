"""Public URLs: the factsheet pages (and their preview images), the edition explorer, compare, the summary report,
search, the open data, and the sitemap and robots.txt for search engines."""

import re

from django.urls import path, re_path

from portal import data_views, views

app_name = "portal"
FILES = "|".join(sorted(re.escape(name) for name in data_views.EDITION_FILES))

urlpatterns = [
    path("factsheets/", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("factsheets/compare/", views.compare, name="compare"),
    path("factsheets/feed.atom", views.feed, name="feed"),
    path("factsheets/<int:year>/feed.atom", views.feed, name="edition_feed"),
    path("factsheets/<int:year>/", views.edition, name="edition"),
    path("factsheets/<int:year>/summary/", views.summary, name="summary"),
    path("factsheets/<int:year>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("factsheets/<int:year>/<slug:country>/", views.factsheet, name="factsheet"),
    path("factsheets/<int:year>/<slug:country>/v<int:number>/changes/", views.version_changes,
         name="version_changes"),
    path("factsheets/<int:year>/<slug:country>/cover-v<int:number>.png", views.factsheet_cover,
         name="factsheet_cover"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("data/", data_views.data_index, name="data"),
    path("data/catalog.jsonld", data_views.catalog, name="data_catalog"),
    path("data/schema.json", data_views.schema_all, name="data_schema"),
    path("data/all.json", data_views.all_editions, name="data_all"),
    # The first release's addresses: one canonical address each now.
    path("data/<int:year>.json", data_views.moved, {"name": "data.json"}),
    path("data/<int:year>.csv", data_views.moved, {"name": "policies.csv"}),
    path("data/<int:year>-state-of-play.csv", data_views.moved, {"name": "state-of-play.csv"}),
    re_path(rf"^data/(?P<year>[0-9]{{4}})/(?P<name>{FILES})$", data_views.edition_file, name="data_edition_file"),
    path("data/<int:year>/<slug:country>.json", data_views.factsheet_json, name="data_factsheet_json"),
    path("data/<int:year>/<slug:country>.csv", data_views.factsheet_csv, name="data_factsheet_csv"),
    path("data/<int:year>/<slug:country>/v<int:number>.json", data_views.version_json, name="data_version_json"),
    re_path(r"^data/(?P<rest>.+)$", data_views.data_file(data_views.not_found)),
]
