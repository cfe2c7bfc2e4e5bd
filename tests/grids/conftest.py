import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories give every user a password; the real hasher makes each one take a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
