"""The catalogue: what Quartier's helpers help with."""

from __future__ import annotations

from django.db import models


class ServiceCategory(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    name_de = models.CharField(max_length=80, blank=True)
    name_fr = models.CharField(max_length=80, blank=True)
    name_it = models.CharField(max_length=80, blank=True)
    description = models.CharField(max_length=300, blank=True)
    typical_duration_minutes = models.PositiveSmallIntegerField(default=60)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "slug")
        verbose_name_plural = "service categories"
        constraints = (
            models.CheckConstraint(
                condition=models.Q(
                    typical_duration_minutes__gte=15, typical_duration_minutes__lte=480
                ),
                name="category_duration_15_to_480",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", "") or self.name
