"""What the orders viewsets share: the id pattern of their routes and the lookup of an id given
in a request body."""

from core.errors import ValidationFailed

ID_PATTERN = r"[1-9][0-9]{0,17}"  # junk ids never reach the database


def get_or_400(model, pk, field: str, message: str):
    """The row an input names by id, or a 400 on that field (a missing body id is bad input, not a 404)."""
    obj = model.objects.filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationFailed(message, code="does_not_exist", field=field)
    return obj
