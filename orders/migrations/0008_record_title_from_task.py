"""Copy each service record's task title onto the record (``ServiceRecord.title``), so the
ledger's pages show it without reading orders. One UPDATE with a correlated subquery."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_titles(apps, schema_editor):
    ServiceRecord = apps.get_model("reporting", "ServiceRecord")
    Acceptance = apps.get_model("orders", "Acceptance")
    with_task = Acceptance.objects.filter(record_id__isnull=False)
    title = with_task.filter(record_id=OuterRef("pk")).values("task__title")[:1]
    ServiceRecord.objects.filter(title="", pk__in=with_task.values("record_id")).update(title=Subquery(title))


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_event_kind"),
        ("reporting", "0003_record_title_and_events"),
    ]

    operations = [migrations.RunPython(fill_titles, migrations.RunPython.noop, elidable=True)]
