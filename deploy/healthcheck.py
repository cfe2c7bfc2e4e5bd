"""Docker's health check of the web container: GET /healthz on gunicorn, exit 0 on 200.

Standard library only (it runs every 30 s; importing Django would cost more than the check). It
sends a Host that ALLOWED_HOSTS accepts (its first entry), so Django answers instead of refusing
the container's own address; /healthz is exempt from the HTTPS redirect (settings).
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def host() -> str:
    first = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
    if first in ("", "*"):
        return "localhost"
    return first.lstrip(".")  # ".example.cn" allows example.cn and its subdomains


def main() -> int:
    port = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host()})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:  # 503: print what is down, for `docker inspect`
        print(exc.read().decode("utf-8", "replace")[:500])
        return 1
    except OSError as exc:
        print(f"healthz unreachable: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
