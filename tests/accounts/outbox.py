"""A code sender that keeps what it sends, for tests that must not rely on the code being shown (SIGNIN_SHOW_CODE)."""

from accounts.sms import CodeSender

sent: list[tuple[str, str]] = []


class OutboxSender(CodeSender):
    def send(self, *, phone: str, code: str) -> None:
        sent.append((phone, code))
