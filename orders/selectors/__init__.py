"""Reads on the work, one module per subdomain; import from the module (``orders.selectors.requests``)."""
