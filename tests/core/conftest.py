"""Fixtures of core's tests: the download tests' registered dataset and private storage."""

from tests.core.exports_support import exports_dir, sheet  # noqa: F401
