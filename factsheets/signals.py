"""Signals of the factsheets app: how it tells a higher app (editorial) of its events without importing it."""

from django.dispatch import Signal

# A bulk import went through and is recorded: sent by factsheets.imports.data_import_record, inside the import's
# transaction, once the record holds the factsheets it touched. Sender: DataImport; argument: record (the
# DataImport). A receiver that raises refuses the whole import.
import_recorded = Signal()
