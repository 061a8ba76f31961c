"""What search engines and social sites read on the public pages: each page's title, description and canonical
address, Open Graph and Twitter card tags, schema.org JSON-LD, and the entries of the sitemap. Every absolute
address is built from the site's setting (EDITORIAL_SITE_URL, env DJANGO_SITE_URL), never from the request's Host
header, so a forged Host can neither poison a cached page nor point a crawler elsewhere."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from portal.records import Record

SITE_NAME = "European Cluster Collaboration Platform"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LANGUAGE = "en"
COVER_SIZE = (1200, 630)  # the social preview image (portal/covers.py): Open Graph's and Twitter's 1.91:1
# What could end a <script> element or open a comment in it, written as JSON escapes instead.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path: str) -> str:
    return settings.EDITORIAL_SITE_URL.rstrip("/") + path


def _publisher() -> dict:
    return {"@type": "Organization", "name": SITE_NAME, "url": absolute(reverse("portal:index"))}


def _date(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


@dataclass
class PageMeta:
    """The head of a public page: <title>, description, canonical address, social tags and structured data."""

    title: str
    description: str
    path: str  # the canonical path, with the query string only where it is part of what the page shows
    kind: str = "website"  # og:type
    image: str = ""  # absolute address of the preview image
    image_alt: str = ""
    structured: list[dict] = field(default_factory=list)  # schema.org objects
    alternates: list[tuple[str, str, str]] = field(default_factory=list)  # (type, path, title)

    @property
    def canonical(self) -> str:
        return absolute(self.path)

    @property
    def image_size(self) -> tuple[int, int]:
        return COVER_SIZE

    @property
    def json_ld(self) -> SafeString:
        """Each object as a JSON data block: not executed, so the CSP (no inline scripts) allows it; "<", ">" and
        "&" escaped so that no text in it can close the element."""
        blocks = [json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)
                  for data in self.structured]
        return mark_safe("".join(f'<script type="application/ld+json">{block}</script>' for block in blocks))  # noqa: S308


def page_meta(*, title: str, description: str, path: str) -> PageMeta:
    """A plain public page: its title, description and canonical address."""
    return PageMeta(title=title, description=description, path=path)


def search_meta(*, query: str) -> PageMeta:
    """The search page: its title names the query; its canonical address is the page without one (results are
    kept out of search engines' indexes: the template says noindex, as search engines ask of result pages)."""
    return PageMeta(
        title=f"Search: {query[:60]}" if query else "Search",
        description="Search the texts of the published ECCP country factsheets: policies, introductions, qualitative "
                    "assessments, notes and references.",
        path=reverse("portal:search"),
    )


def index_meta() -> PageMeta:
    return PageMeta(
        title="Country factsheets",
        description="Cluster policy, country by country: the ECCP country factsheets, their comparison and their "
                    "open data.",
        path=reverse("portal:index"),
    )


def factsheet_meta(*, publication, earlier: list, year: int, code: str) -> PageMeta:
    """A published factsheet: a schema.org Report about its country, dated by its first live version and its
    current one, with its PDF, its data files and its preview image."""
    country = publication.factsheet.country.name
    path = reverse("portal:factsheet", args=[year, code])
    published = min([publication.published_at, *(e.published_at for e in earlier)])
    title = f"{country}, {year}: country factsheet"
    description = (f"Cluster policy in {country}: the ECCP country factsheet of the {year} edition (version "
                   f"{publication.number}, published {date_format(publication.published_at, 'j F Y')}).")
    image = absolute(reverse("portal:factsheet_cover", args=[year, code, publication.number]))
    pdf = absolute(reverse("editorial:factsheet_download", kwargs={"year": year, "country": code}))
    json_path = reverse("portal:data_factsheet_json", args=[year, code])
    csv_path = reverse("portal:data_factsheet_csv", args=[year, code])
    report = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": f"ECCP country factsheet: {country}, {year} edition",
        "headline": title,
        "description": description,
        "url": absolute(path),
        "inLanguage": LANGUAGE,
        "datePublished": _date(published),
        "dateModified": _date(publication.published_at),
        "version": str(publication.number),
        "publisher": _publisher(),
        "about": {"@type": "Country", "name": country, "identifier": code.upper()},
        "isPartOf": {"@type": "CreativeWorkSeries", "name": f"ECCP country factsheets, {year} edition",
                     "url": absolute(reverse("portal:edition", args=[year]))},
        "license": LICENCE_URL,
        "image": image,
        "encoding": [
            {"@type": "MediaObject", "encodingFormat": "application/pdf", "contentUrl": pdf,
             "contentSize": f"{publication.pdf_size} B"},
            {"@type": "MediaObject", "encodingFormat": "application/json", "contentUrl": absolute(json_path)},
            {"@type": "MediaObject", "encodingFormat": "text/csv", "contentUrl": absolute(csv_path)},
        ],
    }
    return PageMeta(
        title=title, description=description, path=path, kind="article", image=image,
        image_alt=f"Cover of the {year} country factsheet of {country}", structured=[report],
        alternates=[("application/json", json_path, f"Data of the {country} {year} factsheet (JSON)"),
                    ("text/csv", csv_path, f"Policies of the {country} {year} factsheet (CSV)")],
    )


def explorer_meta(*, year: int, records: list[Record], query: str) -> PageMeta:
    """The explorer of an edition, which is also the landing page of its open data: a schema.org Dataset with its
    files and licence."""
    path = reverse("portal:edition", args=[year])
    dates = [r.published_at for r in records if r.published_at]
    files = [(reverse("portal:data_edition_file", args=[year, "data.json"]), "application/json",
              "Every published factsheet of the edition (JSON)"),
             (reverse("portal:data_edition_file", args=[year, "policies.csv"]), "text/csv",
              "The policies, one row each (CSV)"),
             (reverse("portal:data_edition_file", args=[year, "state-of-play.csv"]), "text/csv",
              "The state of play, one row per country and criterion (CSV)")]
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"ECCP country factsheets, {year} edition",
        "description": f"The cluster policies of {len(records)} countr{'y' if len(records) == 1 else 'ies'} as "
                       f"described in the {year} edition of the ECCP country factsheets: each policy with its "
                       "standardised categories (objectives, focus, instruments, beneficiaries, evaluation), "
                       "history and budgets, and the state of play of cluster policy in each country.",
        "url": absolute(path),
        "inLanguage": LANGUAGE,
        "isAccessibleForFree": True,
        "license": LICENCE_URL,
        "publisher": _publisher(),
        "creator": _publisher(),
        "datePublished": _date(min(dates)) if dates else None,
        "dateModified": _date(max(dates)) if dates else None,
        "temporalCoverage": str(year),
        "spatialCoverage": [{"@type": "Country", "name": r.country, "identifier": r.code} for r in records],
        "keywords": ["cluster policy", "industrial clusters", "innovation policy", "regional policy"],
        "distribution": [{"@type": "DataDownload", "name": name, "encodingFormat": kind, "contentUrl": absolute(url)}
                         for url, kind, name in files],
        "includedInDataCatalog": {"@type": "DataCatalog", "name": f"{SITE_NAME}: open data of the country "
                                  "factsheets", "url": absolute(reverse("portal:data_catalog"))},
    }
    return PageMeta(
        title=f"{year} edition: explore {len(records)} countr{'y' if len(records) == 1 else 'ies'}",
        description=f"The {year} ECCP country factsheets in one table: the state of play of cluster policy in "
                    f"{len(records)} countr{'y' if len(records) == 1 else 'ies'}, filtered by the standardised "
                    "categories of their policies.",
        path=path + query, structured=[dataset],
        alternates=[(kind, url, name) for url, kind, name in files],
    )


def compare_meta(*, records: list[Record]) -> PageMeta:
    if records:
        names = ", ".join(f"{r.country} {r.year}" for r in records)
        query = "?" + "&".join(f"f={r.key}" for r in records)
    else:
        names, query = "", ""
    return PageMeta(
        title=f"Compare {names}" if names else "Compare factsheets",
        description="Compare country factsheets side by side: the state of play of cluster policy and the "
                    "standardised categories of the policies.",
        path=reverse("portal:compare") + query,
    )


def summary_meta(*, year: int, preview: bool) -> PageMeta:
    return PageMeta(
        title=f"Summary report {year}{' (PREVIEW)' if preview else ''}",
        description=f"The {year} edition of the ECCP country factsheets in figures: dedicated cluster policies, "
                    "objectives, focus, instruments, budgets, evaluation and the state of play, computed from the "
                    "published factsheets.",
        path=reverse("portal:summary", args=[year]),
    )
