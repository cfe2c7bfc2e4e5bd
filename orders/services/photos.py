"""Photos attached to a service request: checked by decoding, then re-encoded.

A phone photo carries EXIF, often with the GPS position of the resident's home. We never store
the upload as it came: the image is decoded with Pillow (so a renamed text file or a truncated
image is refused whatever its extension says), turned upright by its EXIF orientation, capped
in size and written out afresh without any metadata.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.transitions import lock
from orders.models import RequestPhoto, ServiceRequest

FORMATS = {"JPEG": "jpg", "PNG": "png"}
MAX_PIXELS = 40_000_000  # a 40-megapixel phone camera; anything larger is refused before decoding


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    extension: str
    width: int
    height: int


def _read(upload, limit: int) -> bytes:
    """The upload's bytes, refusing more than ``limit`` without reading the rest."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            raise _too_big(limit)
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    if not data:
        raise ValidationFailed("照片文件为空。", code="invalid_photo", field="photos")
    return data


def _too_big(limit: int) -> ValidationFailed:
    return ValidationFailed(f"照片不能超过 {limit // (1024 * 1024)} MB。", code="photo_too_large", field="photos")


def photo_clean(upload) -> CleanPhoto:
    """Decode one upload (a file object or bytes) and re-encode it without metadata."""
    limit = settings.REQUEST_PHOTO_MAX_BYTES
    data = _read(upload, limit)
    not_image = ValidationFailed("只能上传 JPEG 或 PNG 格式的照片。", code="invalid_photo", field="photos")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in FORMATS:
                raise not_image
            fmt = img.format
            if img.width * img.height > MAX_PIXELS:
                # A small, highly compressed file can still expand to gigabytes when decoded.
                raise ValidationFailed("照片像素过大，请压缩后再上传。", code="photo_too_large", field="photos")
            img.load()  # decodes every pixel: a truncated or forged file fails here
            upright = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise not_image from exc
    side = settings.REQUEST_PHOTO_MAX_SIDE
    upright.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        # No ``exif=`` and no ``icc_profile=``: the new file carries no metadata at all.
        upright.save(out, format="JPEG", quality=85, optimize=True)
    else:
        if upright.mode not in ("RGB", "RGBA", "L", "LA"):
            upright = upright.convert("RGBA")
        upright.save(out, format="PNG", optimize=True)
    return CleanPhoto(content=out.getvalue(), extension=FORMATS[fmt], width=upright.width, height=upright.height)


def photos_clean(photos: Sequence) -> list[CleanPhoto]:
    """Check the count, then every photo; nothing is stored until all of them pass."""
    photos = list(photos or ())
    most = settings.REQUEST_PHOTO_MAX_COUNT
    if len(photos) > most:
        raise ValidationFailed(f"最多上传 {most} 张照片。", code="too_many_photos", field="photos")
    return [photo_clean(p) for p in photos]


def photos_attach(*, request, photos: Sequence[CleanPhoto]) -> list:
    """Store cleaned photos for a request (called inside the request's transaction)."""
    rows = []
    for clean in photos:
        row = RequestPhoto(request=request, width=clean.width, height=clean.height)
        # A random name: the original file name can carry personal details too.
        row.image.save(f"{uuid.uuid4().hex}.{clean.extension}", ContentFile(clean.content), save=False)
        row.save()
        rows.append(row)
    return rows


def request_photo_add(*, request: ServiceRequest, actor, photo) -> RequestPhoto:
    """One more photo on a request still waiting for review, from its requester.

    The mini program uploads photos one per call (``wx.uploadFile`` sends one file), after the
    request itself; the checks are those of the photos sent with the request: JPEG or PNG,
    decoded and re-encoded without metadata, at most ``REQUEST_PHOTO_MAX_COUNT`` in all.
    """
    if request.requester_id != actor.pk:
        raise PermissionDenied("只有点单人可以为点单添加照片。", code="not_requester")
    try:
        clean = photo_clean(photo)  # decoded before the row is locked: decoding takes a while
    except ValidationFailed as exc:
        exc.field = "photo"  # this endpoint's one file field
        raise
    with transaction.atomic():
        row = lock(request)  # two uploads at once must not both pass the count
        if row.status != ServiceRequest.Status.SUBMITTED:
            raise Conflict("点单已进入审核处理，不能再添加照片。", code="illegal_transition")
        most = settings.REQUEST_PHOTO_MAX_COUNT
        if RequestPhoto.objects.filter(request=row).count() >= most:
            raise ValidationFailed(f"最多上传 {most} 张照片。", code="too_many_photos", field="photo")
        (added,) = photos_attach(request=row, photos=[clean])
    return added
