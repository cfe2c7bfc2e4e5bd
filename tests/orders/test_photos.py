import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import ValidationFailed
from orders.models import RequestPhoto, ServiceRequest
from orders.services.photos import photo_clean, photos_clean
from orders.services.requests import request_create
from tests.orders.support import jpeg_bytes, order_fields, png_bytes


def _exif_of(data: bytes):
    with Image.open(io.BytesIO(data)) as img:
        return img.getexif(), img.info, img.size


def test_the_test_jpeg_really_carries_gps():
    exif, _, _ = _exif_of(jpeg_bytes())
    assert 0x8825 in exif  # so the next test can fail


def test_reencoding_strips_exif_including_gps():
    clean = photo_clean(jpeg_bytes())
    exif, info, _ = _exif_of(clean.content)
    assert len(exif) == 0
    assert "exif" not in info
    assert clean.extension == "jpg"


def test_exif_orientation_is_applied_before_stripping():
    # Orientation 6: the camera was turned; the stored pixels are 64×48, upright it is 48×64.
    clean = photo_clean(jpeg_bytes((64, 48), orientation=6))
    _, _, size = _exif_of(clean.content)
    assert size == (48, 64)
    assert (clean.width, clean.height) == (48, 64)


def test_long_side_is_capped(settings):
    settings.REQUEST_PHOTO_MAX_SIDE = 100
    clean = photo_clean(jpeg_bytes((400, 200)))
    assert (clean.width, clean.height) == (100, 50)


def test_png_accepted_and_stays_png():
    clean = photo_clean(SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"))
    assert clean.extension == "png"
    with Image.open(io.BytesIO(clean.content)) as img:
        assert img.format == "PNG"


def test_text_file_renamed_jpg_refused():
    upload = SimpleUploadedFile("photo.jpg", b"hello, this is not an image\n" * 10, content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as exc:
        photo_clean(upload)
    assert exc.value.code == "invalid_photo"
    assert "JPEG 或 PNG" in exc.value.message


def test_gif_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="GIF")
    with pytest.raises(ValidationFailed):
        photo_clean(out.getvalue())


def test_truncated_jpeg_refused():
    data = jpeg_bytes((200, 200))
    with pytest.raises(ValidationFailed):
        photo_clean(data[: len(data) // 2])


def test_oversize_refused(settings):
    settings.REQUEST_PHOTO_MAX_BYTES = 1000
    data = jpeg_bytes((300, 300))
    assert len(data) > 1000
    with pytest.raises(ValidationFailed) as exc:
        photo_clean(SimpleUploadedFile("big.jpg", data, content_type="image/jpeg"))
    assert exc.value.code == "photo_too_large"
    assert "MB" in exc.value.message


def test_four_photos_refused():
    with pytest.raises(ValidationFailed) as exc:
        photos_clean([jpeg_bytes()] * 4)
    assert exc.value.code == "too_many_photos"
    assert "3" in exc.value.message


def test_request_with_photos_stores_clean_files(resident, community, media, sent):
    request = request_create(requester=resident, photos=[jpeg_bytes(), png_bytes()], **order_fields(community))
    photos = list(request.photos.all())
    assert len(photos) == 2
    for photo in photos:
        with photo.image.open("rb") as f:
            exif, info, _ = _exif_of(f.read())
        assert len(exif) == 0 and "exif" not in info
        assert re.fullmatch(r"requests/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png)", photo.image.name)


def test_a_bad_photo_stores_nothing(resident, community, media, sent):
    with pytest.raises(ValidationFailed):
        request_create(requester=resident, photos=[jpeg_bytes(), b"not an image"], **order_fields(community))
    assert ServiceRequest.objects.count() == 0
    assert RequestPhoto.objects.count() == 0
    assert list(media.rglob("*.*")) == []


def test_huge_pixel_count_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValidationFailed) as exc:
        photo_clean(out.getvalue())
    assert exc.value.code == "photo_too_large"
