"""Domain errors raised by services and mapped to API responses in one place.

Services raise these with a Chinese message a user can read; ``core.api.exception_handler``
turns them into ``{"detail", "code", "fields"}`` with the right status, and the H5 pages show
``message`` as it is.
"""

# What to tell someone who sent text holding a NUL byte (PostgreSQL cannot store one in text).
NUL_BYTE_MESSAGE = "内容包含不允许的空字符（\\x00）。"


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    """What was there is no more (a download past its day)."""

    status = 410
    code = "gone"


class Throttled(DomainError):
    status = 429
    code = "throttled"

    def __init__(self, message: str, *, wait: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.wait = wait
