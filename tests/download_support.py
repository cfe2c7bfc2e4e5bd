"""Fetching a CSV download in tests and reading it back as rows."""

from __future__ import annotations

import csv
import io

from django.http import StreamingHttpResponse
from django.urls import reverse

from core.exports import BOM


def download(client, key: str, **params):
    """The response of ``downloads:csv`` and, when it is a file, its rows (header first)."""
    response = client.get(reverse("downloads:csv", args=[key]), params)
    if not isinstance(response, StreamingHttpResponse):
        return response, None
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith(BOM)
    return response, list(csv.reader(io.StringIO(text[len(BOM) :])))


def cell(value) -> str:
    """A value as the CSV writes it."""
    return "" if value is None else str(value)
