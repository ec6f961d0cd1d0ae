"""vaenas: neural architecture search driven by a variational autoencoder over architectures."""

__version__ = "0.1.0"
