"""latent_transformer."""
