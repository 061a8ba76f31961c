"""The private links of national validation: a random token of 192 bits per link, stored only as its SHA-256.
Wrong, expired and revoked tokens are indistinguishable to the visitor."""

import hashlib
import secrets


def token_new() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
