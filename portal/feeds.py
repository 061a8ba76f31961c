"""Atom feeds of the publications: new factsheets, new versions with their public notes, edition releases and
withdrawals, for the whole site (/factsheets/feed.atom) and per edition (/factsheets/2023/feed.atom)."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from portal import selectors


class PublicationsFeed(Feed):
    feed_type = Atom1Feed
    author_name = "European Cluster Collaboration Platform (ECCP)"

    def get_object(self, request, year: int | None = None):
        events = selectors.feed_entries(year=year)
        if year is not None and not events:
            raise Http404("Nothing of this edition is public.")
        return {"year": year, "events": events}

    def title(self, obj):
        year = obj["year"]
        return f"ECCP country factsheets, {year} edition" if year else "ECCP country factsheets"

    def subtitle(self, obj):
        return "New factsheets, corrected versions with what they correct, edition releases and withdrawals."

    def link(self, obj):
        return reverse("portal:edition", args=[obj["year"]]) if obj["year"] else reverse("portal:index")

    def feed_url(self, obj):
        return reverse("portal:edition_feed", args=[obj["year"]]) if obj["year"] else reverse("portal:feed")

    def items(self, obj):
        return obj["events"]

    def item_title(self, event):
        return event.title

    def item_description(self, event):
        return event.text

    def item_link(self, event):
        if event.kind in ("published", "corrected"):
            return reverse("portal:factsheet", args=[event.year, event.code])
        return reverse("portal:edition", args=[event.year]) if event.kind == "released" else reverse("portal:index")

    def item_guid(self, event):
        return f"urn:eccp-factsheets:{event.guid}"  # stable, whatever the address the site is served at

    def item_guid_is_permalink(self, event):
        return False

    def item_pubdate(self, event):
        return event.at

    def item_updateddate(self, event):
        return event.at

    def item_categories(self, event):
        return [event.kind]


publications_feed = PublicationsFeed()
