# The helper's approval becomes the vetting pipeline: more steps (longer names) and the role
# of whoever made each move. Existing helpers keep their status: applied, approved and
# suspended are steps of the new machine too. Past moves were all the manager's.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("helpers", "0004_helper_approval_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="helperapprovalevent",
            name="role",
            field=models.CharField(
                choices=[
                    ("customer", "Customer"),
                    ("helper", "Helper"),
                    ("manager", "Community manager"),
                    ("system", "Quartier (automatic)"),
                ],
                default="manager",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="helperapprovalevent",
            name="from_status",
            field=models.CharField(
                choices=[
                    ("applied", "Applied, documents to upload"),
                    ("documents_submitted", "Documents submitted, waiting for the check"),
                    ("documents_checked", "Documents checked, conduct test to pass"),
                    ("conduct_test_passed", "Conduct test passed"),
                    ("interview", "Invited to an interview"),
                    ("needs_information", "More information needed from the applicant"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Application withdrawn"),
                    ("suspended", "Suspended"),
                    ("offboarded", "Offboarded"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="helperapprovalevent",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("applied", "Applied, documents to upload"),
                    ("documents_submitted", "Documents submitted, waiting for the check"),
                    ("documents_checked", "Documents checked, conduct test to pass"),
                    ("conduct_test_passed", "Conduct test passed"),
                    ("interview", "Invited to an interview"),
                    ("needs_information", "More information needed from the applicant"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Application withdrawn"),
                    ("suspended", "Suspended"),
                    ("offboarded", "Offboarded"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="helperprofile",
            name="approval_status",
            field=models.CharField(
                choices=[
                    ("applied", "Applied, documents to upload"),
                    ("documents_submitted", "Documents submitted, waiting for the check"),
                    ("documents_checked", "Documents checked, conduct test to pass"),
                    ("conduct_test_passed", "Conduct test passed"),
                    ("interview", "Invited to an interview"),
                    ("needs_information", "More information needed from the applicant"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("withdrawn", "Application withdrawn"),
                    ("suspended", "Suspended"),
                    ("offboarded", "Offboarded"),
                ],
                default="applied",
                max_length=24,
            ),
        ),
    ]
