"""Who is who and where their data lives: organisations, people, roles, schemas, provisioning."""
