"""Fake pSp utils: a regular package that must not shadow LT's utils."""
