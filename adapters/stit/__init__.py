"""stit."""
