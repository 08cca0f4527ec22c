"""tcsve."""
