"""What to read: the crime filter (one WHERE renderer), scope, the city registry and incident profiles."""
