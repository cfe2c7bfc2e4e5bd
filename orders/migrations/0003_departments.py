"""The seven departments that sit at every street's joint meeting (联席会议); editable in admin."""

from django.db import migrations

DEPARTMENTS = ["政法", "住建", "公安", "民政", "自然资源", "消防", "工青妇"]


def seed(apps, schema_editor):
    Department = apps.get_model("orders", "Department")
    for order, name in enumerate(DEPARTMENTS, start=1):
        Department.objects.get_or_create(name=name, defaults={"sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("orders", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
