"""Every write of routing configuration, for the admin and the API alike (keyword-only, typed).

`*_check` raises Django's ValidationError keyed by field, in words staff understand; `*_save`
checks, then writes in one transaction. The project's routing table is rebuilt once, after
commit (routing.cache), however many rows a write touched.
"""
