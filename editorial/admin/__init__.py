"""The editorial admin, one module per area; importing the package registers every admin."""

from editorial.admin import editions, factsheet, methodology, users, validation  # noqa: F401
