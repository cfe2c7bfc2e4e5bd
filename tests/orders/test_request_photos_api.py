"""``POST requests/{id}/photos/``: one photo per call (the mini program's wx.uploadFile), with the
checks the photos sent with a new request get."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from orders.models import RequestPhoto, ServiceRequest
from tests.conftest import client_for
from tests.grids.factories import MemberFactory
from tests.orders.api_support import V1, assert_error
from tests.orders.factories import ServiceRequestFactory
from tests.orders.support import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db


def _jpeg():
    return SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes((80, 60)), content_type="image/jpeg")


@pytest.fixture
def placed_request(community, resident):
    return ServiceRequestFactory(community=community, requester=resident)


def _url(row) -> str:
    return f"{V1}/requests/{row.pk}/photos/"


def test_the_requester_adds_one_photo_stored_without_exif(resident, placed_request):
    resp = client_for(resident).post(_url(placed_request), {"photo": _jpeg()}, format="multipart")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["id"] == placed_request.pk
    assert len(body["photos"]) == 1
    stored = RequestPhoto.objects.get(request=placed_request)
    with stored.image.open("rb") as f, Image.open(io.BytesIO(f.read())) as img:
        assert len(img.getexif()) == 0  # the GPS position the phone wrote is gone
    assert not stored.image.name.endswith("IMG_0001.jpg")


def test_one_call_one_photo_up_to_three(resident, placed_request):
    client = client_for(resident)
    for _ in range(3):
        assert client.post(_url(placed_request), {"photo": _jpeg()}, format="multipart").status_code == 201
    assert_error(
        client.post(_url(placed_request), {"photo": _jpeg()}, format="multipart"), 400, "too_many_photos", "photo"
    )
    assert RequestPhoto.objects.filter(request=placed_request).count() == 3


def test_photos_sent_with_the_request_count_too(resident, placed_request):
    for _ in range(3):
        RequestPhoto.objects.create(request=placed_request, image="requests/x.jpg", width=1, height=1)
    resp = client_for(resident).post(_url(placed_request), {"photo": _jpeg()}, format="multipart")
    assert_error(resp, 400, "too_many_photos")


def test_not_an_image_is_refused_by_its_content(resident, placed_request):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all" * 20, content_type="image/jpeg")
    assert_error(
        client_for(resident).post(_url(placed_request), {"photo": fake}, format="multipart"),
        400,
        "invalid_photo",
        "photo",
    )
    assert not RequestPhoto.objects.exists()


def test_png_accepted(resident, placed_request):
    upload = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    assert client_for(resident).post(_url(placed_request), {"photo": upload}, format="multipart").status_code == 201


def test_no_file_is_a_field_error(resident, placed_request):
    assert_error(client_for(resident).post(_url(placed_request), {}, format="multipart"), 400, field="photo")


def test_json_is_refused(resident, placed_request):
    resp = client_for(resident).post(_url(placed_request), {"photo": "x"}, format="json")
    assert resp.status_code == 415


def test_once_reviewed_no_more_photos(resident, placed_request):
    ServiceRequest.objects.filter(pk=placed_request.pk).update(
        status=ServiceRequest.Status.REJECTED, reject_reason="不属于社区服务范围"
    )
    resp = client_for(resident).post(_url(placed_request), {"photo": _jpeg()}, format="multipart")
    assert_error(resp, 409, "illegal_transition")
    assert not RequestPhoto.objects.exists()


# --- outsiders ------------------------------------------------------------------------------------


def test_anonymous_is_401(api, placed_request):
    assert api.post(_url(placed_request), {"photo": _jpeg()}, format="multipart").status_code == 401


def test_another_resident_is_told_it_does_not_exist(placed_request):
    from tests.accounts.factories import UserFactory

    stranger = UserFactory(phone="13800000077")
    assert_error(client_for(stranger).post(_url(placed_request), {"photo": _jpeg()}, format="multipart"), 404)


def test_a_member_of_the_community_cannot_add(community, placed_request):
    neighbour = MemberFactory(community=community)
    resp = client_for(neighbour.user).post(_url(placed_request), {"photo": _jpeg()}, format="multipart")
    assert resp.status_code in (403, 404)
    assert not RequestPhoto.objects.exists()


def test_the_community_secretary_sees_it_but_cannot_add(secretary, placed_request):
    resp = client_for(secretary).post(_url(placed_request), {"photo": _jpeg()}, format="multipart")
    assert_error(resp, 403, "not_requester")


def test_the_neighbouring_secretary_is_404(outsider, placed_request):
    assert_error(client_for(outsider).post(_url(placed_request), {"photo": _jpeg()}, format="multipart"), 404)


def test_in_the_schema_as_multipart(api):
    schema = api.get("/api/schema/?format=json").json()
    op = schema["paths"]["/api/v1/requests/{id}/photos/"]["post"]
    assert set(op["requestBody"]["content"]) == {"multipart/form-data"}
    assert "201" in op["responses"]
