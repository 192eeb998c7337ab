"""The background tasks' app (django_tasks_db) as the back office names it: in the manager's
language, where the package's own name is "Tasks Database Backend" in English whatever the
language. INSTALLED_APPS names this configuration instead of the package."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig

# The package marks its model's names for translation but ships no catalogue: Quartier's
# carries them, so that the back office's index names the model in the manager's language too.
TASK_RESULT_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))


class TasksDatabaseConfig(TasksAppConfig):
    # The package types its name as a plain string; Django takes a lazy translation too.
    verbose_name = _("Background tasks")  # type: ignore[assignment]
