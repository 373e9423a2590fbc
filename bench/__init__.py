"""Load benchmark of the answer_url and event_url against the stack's own limit (`python -m
bench`)."""
