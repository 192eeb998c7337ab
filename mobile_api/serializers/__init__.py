"""The API's serializers, one module per resource. Every field is listed explicitly;
nothing here writes to the database."""
