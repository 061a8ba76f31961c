"""National validation: a factsheet sent to its country's national contacts through private links (tokens), their
answers brought back into the workflow (services, selectors), and the contact's page (views)."""
