"""Board scores become exact: ``score`` (a float) is replaced by ``points``, the score in
sixtieths of a point as an integer. Rows already written keep their ranks; their points are
their score × 60, rounded."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rankings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="boardentry",
            name="points",
            field=models.BigIntegerField(default=0, verbose_name="总分（以 1/60 分计）"),
            preserve_default=False,
        ),
        # A default, so that going back can add the column again to a table with rows.
        migrations.AlterField(
            model_name="boardentry",
            name="score",
            field=models.FloatField(default=0.0, verbose_name="总分"),
        ),
        migrations.RunSQL(
            "UPDATE rankings_boardentry SET points = CAST(ROUND(score * 60) AS BIGINT)",
            reverse_sql="UPDATE rankings_boardentry SET score = points / 60.0",
        ),
        migrations.RemoveField(
            model_name="boardentry",
            name="score",
        ),
    ]
