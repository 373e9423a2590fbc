"""English date formats of the portal."""
