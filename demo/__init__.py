"""A believable Quartier for demos and development: `manage.py seed_demo`."""
