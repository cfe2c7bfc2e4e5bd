"""Every write on the work: requests, review, tasks, acceptances, escalations.

One module per subdomain; import functions from their module (``orders.services.requests``).
"""
