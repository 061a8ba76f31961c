"""Uploaded files waiting for the import's confirm step: kept in media storage under a random name that only
the uploading session may confirm, checked again at confirm, and purged after an hour if never confirmed.

django-import-export posts the stored file's name back through the browser between its two steps; without
this, a crafted name could read (and delete) other files."""

import re
import secrets
from datetime import timedelta

from django.core.exceptions import SuspiciousOperation
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

FOLDER = "pending-imports"
SESSION_KEY = "factsheets_pending_imports"
KEEP_PER_SESSION = 20
_NAME = re.compile(r"[A-Za-z0-9_-]{40,64}")


class PendingImportStorage(MediaStorage):
    """import-export's media storage with a random name of ours; any other name is refused before use."""

    def __init__(self, **kwargs):
        name = kwargs.get("name")
        if name is not None and not _NAME.fullmatch(str(name)):
            raise SuspiciousOperation("Refused a pending import name that this server did not issue.")
        super().__init__(**{**kwargs, "MEDIA_FOLDER": FOLDER})

    def save(self, data):
        if not self.name:
            self.name = secrets.token_urlsafe(32)
        super().save(data)


def pending_remember(*, session, name: str) -> None:
    names = [n for n in session.get(SESSION_KEY, []) if n != name][-(KEEP_PER_SESSION - 1):]
    session[SESSION_KEY] = [*names, name]


def pending_is_mine(*, session, name: str | None) -> bool:
    return bool(name) and _NAME.fullmatch(str(name)) is not None and name in session.get(SESSION_KEY, [])


def pending_forget(*, session, name: str) -> None:
    session[SESSION_KEY] = [n for n in session.get(SESSION_KEY, []) if n != name]


def pending_discard(*, name: str) -> None:
    storage = PendingImportStorage(name=name)
    try:
        storage.remove()
    except FileNotFoundError:
        pass


def pending_imports_purge(*, older_than: timedelta = timedelta(hours=1), now=None) -> int:
    """Delete pending files never confirmed within `older_than`; returns how many. Safe to run at any time."""
    storage = PendingImportStorage()._storage
    now = now or timezone.now()
    try:
        _dirs, files = storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        try:
            if now - storage.get_modified_time(path) > older_than:
                storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed
