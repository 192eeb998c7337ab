"""Who acts: the roles every state machine's table speaks of."""

from __future__ import annotations

from django.db import models


class ActorRole(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    HELPER = "helper", "Helper"
    MANAGER = "manager", "Community manager"
    SYSTEM = "system", "Quartier (automatic)"
