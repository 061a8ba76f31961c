"""A validation link's token never reaches a log: gunicorn's access log (config/gunicorn.py installs the logger
below) and Django's own loggers (the `tokens` filter of settings.LOGGING) print `/validate/…/` instead."""

import logging
import re

from gunicorn.glogging import Logger

VALIDATION_TOKEN = re.compile(r"(/validate/)[^/\s?#\"']+")


def redact(text: str) -> str:
    return VALIDATION_TOKEN.sub(r"\1…", text)


class TokenFilter(logging.Filter):
    """Redacts the tokens of validation links in a record's message and arguments (django.request, django.server)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


class TokenRedactingGunicornLogger(Logger):
    """gunicorn's logger, with every access-log value (request line, path, referer, headers) redacted."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}
