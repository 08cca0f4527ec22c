"""A minimal third-party dynode plugin (see README.md)."""
