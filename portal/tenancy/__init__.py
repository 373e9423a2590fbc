"""Tenancy in one place: `paths` (how a model reaches its project), `policy` (roles and scoping),
`admin` and `api` (the scoped admin and API built on them)."""
