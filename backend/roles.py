"""Who acts: the roles every state machine's table speaks of."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorRole(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    HELPER = "helper", _("Helper")
    MANAGER = "manager", _("Community manager")
    SYSTEM = "system", _("Quartier (automatic)")
