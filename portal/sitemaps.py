"""The sitemap of the public portal (django.contrib.sitemaps): every live factsheet page with its PDF and data
files, each edition's explorer, summary report and data files, the index and the data catalogue, each with the
time it last changed. Addresses come from the site's setting, never from the request."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from portal.selectors import sitemap_publications


@dataclass(frozen=True)
class Entry:
    path: str
    lastmod: datetime


def entries() -> list[Entry]:
    """From one query over the publications: a withdrawal counts as a change of the pages that listed it."""
    rows = sitemap_publications()
    current: dict[int, dict] = {}
    changed: dict[int, datetime] = {}  # per factsheet: its last publication or withdrawal
    for row in rows:
        key = row["factsheet"]
        changed[key] = max(d for d in (changed.get(key), row["published_at"], row["withdrawn_at"]) if d)
        if row["withdrawn_at"] is None and (key not in current or row["number"] > current[key]["number"]):
            current[key] = row
    editions: dict[int, datetime] = {}
    for row in rows:
        year = row["year"]
        editions[year] = max(d for d in (editions.get(year), row["published_at"], row["withdrawn_at"]) if d)
    live_years = sorted({row["year"] for row in current.values()}, reverse=True)
    found: list[Entry] = []
    if current:
        latest = max(editions.values())
        found += [Entry(reverse("portal:index"), latest), Entry(reverse("portal:data"), latest),
                  Entry(reverse("portal:data_catalog"), latest)]
    for year in live_years:
        found += [Entry(reverse(name, args=[year]), editions[year]) for name in (
            "portal:edition", "portal:summary", "portal:summary_pdf")]
        found += [Entry(reverse("portal:data_edition_file", args=[year, name]), editions[year]) for name in (
            "data.json", "policies.csv", "state-of-play.csv", "datapackage.json", "data.xlsx")]
    for row in sorted(current.values(), key=lambda r: (-r["year"], r["code"])):
        year, code, lastmod = row["year"], str(row["code"]).lower(), changed[row["factsheet"]]
        found += [Entry(reverse("portal:factsheet", args=[year, code]), lastmod),
                  Entry(reverse("editorial:factsheet_download", kwargs={"year": year, "country": code}), lastmod),
                  Entry(reverse("portal:data_factsheet_json", args=[year, code]), lastmod),
                  Entry(reverse("portal:data_factsheet_csv", args=[year, code]), lastmod)]
    return found


class PortalSitemap(Sitemap):
    def items(self) -> list[Entry]:
        return entries()

    def location(self, item: Entry) -> str:
        return item.path

    def lastmod(self, item: Entry) -> datetime:
        return item.lastmod

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.EDITORIAL_SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        """The site's host, and the path it is served under if any (locations are appended to it)."""
        parts = urlsplit(settings.EDITORIAL_SITE_URL.rstrip("/"))
        return parts.netloc + parts.path


SITEMAPS = {"portal": PortalSitemap}
