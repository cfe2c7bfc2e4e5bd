"""Every write on the work: requests, review, tasks, acceptances, escalations.

One module per subdomain; import functions from their module (``orders.services.requests``).
The modules import each other one way only (``tests/orders/test_service_layers.py`` checks it):
``common`` at the bottom; one module per machine above it (``requests``, ``request_review``,
``request_closing``, ``tasks``, ``acceptances``, ``dispatch``, ``escalations``, ``photos``);
``cascades`` on top, for the actions that move rows of several machines at once.
"""
