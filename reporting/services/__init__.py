"""Writes on the duty ledger, one module per subdomain: ``consent``, ``checkins`` (check-in,
check-out, coarsening old coordinates), ``records`` (confirming hours) and ``visits``.

Each function is one action, keyword-only, transactional, locking what it changes and raising
``core.errors`` with a Chinese message. ``orders`` calls the check-in and check-out functions
for its acceptances; the community's pages, the admin and Celery call the rest.
"""
