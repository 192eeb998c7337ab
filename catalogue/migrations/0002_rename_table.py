# The categories' table takes the catalogue app's name, once every reference points here.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("bookings", "0010_categories_move_to_catalogue"),
        ("helpers", "0003_categories_move_to_catalogue"),
    ]

    operations = [
        migrations.AlterModelTable(name="servicecategory", table=None),
    ]
