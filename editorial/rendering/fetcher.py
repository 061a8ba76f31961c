"""The only URL fetcher WeasyPrint gets: the project's own static files and data: URIs, nothing else."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchRefused(ValueError):
    """A resource the renderer may not load."""


def static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    return [root for root in roots if root.is_dir()]


class StaticOnlyFetcher(URLFetcher):
    """Serves file: URLs inside the static directories and data: URIs; refuses every other URL."""

    def __init__(self, roots: list[Path] | None = None):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.roots = roots if roots is not None else static_roots()

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise FetchRefused(f"Refused to fetch {url!r}: only static files and data: URIs are allowed.")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"Refused to fetch {url!r}: remote file URL.")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise FetchRefused(f"Refused to fetch {url!r}: outside the static directories.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})
