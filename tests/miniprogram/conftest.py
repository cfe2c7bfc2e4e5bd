"""The mini program's tests reuse the fake WeChat server of the sign-in tests."""

from tests.accounts.conftest import wechat_server  # noqa: F401 - a fixture, used by name
