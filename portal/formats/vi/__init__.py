"""Vietnamese date and number formats of the portal."""
