"""Call events, call records and recordings (filled in by the event_url work)."""
