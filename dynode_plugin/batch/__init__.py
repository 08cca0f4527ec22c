"""Many clips: ``dynode batch`` (manifest, job layer with resume, local pool or Ray, summary)."""
