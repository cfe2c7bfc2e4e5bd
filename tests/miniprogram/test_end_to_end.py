"""The mini program end to end: its own request layer (miniprogram/utils/api.js), with wx.request,
wx.uploadFile and wx.login implemented over HTTP in node (miniprogram/tests/e2e/), against Django's
live server, with WeChat's jscode2session answered by the fake server (WECHAT_API_BASE)."""

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from grids.geo import wgs84_to_gcj02
from orders.models import Like, RequestPhoto, ServiceRequest
from reporting.models import CheckIn
from tests.orders.support import jpeg_bytes

pytestmark = [pytest.mark.miniprogram, pytest.mark.slow]

DRIVER = Path(django_settings.BASE_DIR) / "miniprogram" / "tests" / "e2e" / "drive.js"
RESIDENT_PHONE = "13800000071"


@pytest.fixture
def relaxed(settings):
    """Sign-in codes shown (as in the demo) and the per-person limits out of the way."""
    settings.SIGNIN_SHOW_CODE = True
    settings.REQUESTS_PER_DAY = 1000
    settings.ACCEPTS_PER_HOUR = 1000
    settings.LIKES_PER_DAY = 1000


def test_resident_orders_secretary_approves_member_serves_resident_rates(
    live_server,
    wechat_server,
    relaxed,
    community,
    secretary,
    placed,
    tmp_path,
):
    # The secretary and the member have used the mini program before: their openids are bound.
    secretary.wechat_openid = "osecretary"
    secretary.save(update_fields=["wechat_openid"])
    placed.user.wechat_openid = "omember"
    placed.user.save(update_fields=["wechat_openid"])
    photo = tmp_path / "wx-temp-photo.jpg"
    photo.write_bytes(jpeg_bytes((120, 90)))  # with GPS in its EXIF, as a phone writes it
    # WeChat hands out GCJ-02: the place a little north-east of the community office, and the
    # member standing at the office.
    place_lat, place_lng = wgs84_to_gcj02(community.lat + 0.0004, community.lng + 0.0004)
    here_lat, here_lng = wgs84_to_gcj02(community.lat, community.lng)
    now = timezone.now()
    env = {
        **os.environ,
        "BASE_URL": live_server.url + "/api/v1/",
        "RESIDENT_CODE": "ok-resident",
        "SECRETARY_CODE": "ok-secretary",
        "MEMBER_CODE": "ok-member",
        "RESIDENT_PHONE": RESIDENT_PHONE,
        "PHOTO": str(photo),
        "PLACE_LAT": str(place_lat),
        "PLACE_LNG": str(place_lng),
        "HERE_LAT": str(here_lat),
        "HERE_LNG": str(here_lng),
        "STARTS_AT": (now + dt.timedelta(minutes=5)).isoformat(),
        "ENDS_AT": (now + dt.timedelta(hours=2)).isoformat(),
    }
    run = subprocess.run(["node", str(DRIVER)], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(run.stdout)

    assert seen["bind_required"] and seen["resident_name"] is not None
    row = ServiceRequest.objects.get(pk=seen["request_id"])
    assert row.requester.phone == RESIDENT_PHONE and row.requester.wechat_openid == "oresident"
    assert row.community == community and seen["community"] == community.name
    assert row.coord_system == "gcj02"
    assert abs(row.lat - (community.lat + 0.0004)) < 1e-5  # stored in WGS-84
    assert seen["photos"] == 1 and RequestPhoto.objects.filter(request=row).count() == 1
    assert seen["after_401"] == "submitted"
    assert seen["request_id"] in seen["in_review"] and seen["approved"] == "approved"
    assert row.task_id in seen["hall"]
    assert seen["before_consent"]["status"] in (400, 403, 409)
    assert seen["checked_in"] == "checked_in" and seen["checked_out"] == "completed"
    checkin = CheckIn.objects.get(member=placed)
    # The task sits at the request's place, some 60 m from the office the member stands at.
    assert checkin.coord_system == "gcj02" and 40 < checkin.distance_m < 80
    assert seen["task"] == "completed" and seen["resolved"] == "resolved"
    assert seen["served"] == [{"member_id": placed.pk, "name": placed.user.name}]
    assert seen["rated"] == "rated" and seen["liked"] == [placed.pk]
    assert Like.objects.filter(request=row, member=placed).exists()
