"""Write the pages Lighthouse audits, with the session cookie of the demo account each is seen as,
to the JSON file audit.mjs reads. Run by run.sh against the throwaway demo database, with the
same SECRET_KEY as the server (sessions are signed with it).

    pages.py BASE_URL OUT.json
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoguan.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402

# Demo accounts (README, "Demo accounts").
RESIDENT, MEMBER, SECRETARY, DISTRICT = "13800138001", "13800138002", "13800138003", "13800138005"


def session(phone: str) -> tuple[Client, str]:
    client = Client()
    client.force_login(get_user_model().objects.get(phone=phone))
    return client, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def main(base: str, out: str) -> None:
    resident, member, secretary, district = (session(p) for p in (RESIDENT, MEMBER, SECRETARY, DISTRICT))
    hall = member[0].get("/tasks/").content.decode()
    task = re.search(r'href="(/tasks/\d+/)"', hall)
    if not task:
        raise SystemExit("the demo's task hall lists no task")
    pages = [
        ("首页", "/", resident[1]),
        ("登录", "/login/", ""),
        ("点单", "/order/", resident[1]),
        ("吹哨", "/work/tasks/new/", secretary[1]),
        ("任务大厅", "/tasks/", member[1]),
        ("任务", task.group(1), member[1]),
        ("排行榜", "/boards/", member[1]),
        ("驾驶舱", "/cockpit/", district[1]),
    ]
    clients = {resident[1]: resident[0], member[1]: member[0], secretary[1]: secretary[0], district[1]: district[0]}
    for name, path, cookie in pages:
        response = clients.get(cookie, Client()).get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} {path}: {response.status_code} {response.get('Location', '')}")
        if path == "/cockpit/" and b'id="cockpit-data"' not in response.content:
            raise SystemExit("the demo's cockpit has no figures to chart")
    Path(out).write_text(
        json.dumps(
            [{"name": n, "url": base.rstrip("/") + path, "cookie": c} for n, path, c in pages], ensure_ascii=False
        ),
        "utf-8",
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
