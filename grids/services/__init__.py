"""Writes on the organisation, people and registration, by subdomain."""
