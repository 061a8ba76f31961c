"""Full-text search of the published factsheets: the index (services, receivers), the query (query, selectors),
the texts as searched and shown (text, passages) and the search page's form."""
