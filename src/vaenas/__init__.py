"""vaenas: neural architecture search driven by a variational autoencoder over architectures."""

__version__ = "0.1.0"


def load_model(path):  # type: ignore[no-untyped-def]
    """Reloads a network saved by a search (best_model.pt) or by `vaenas train` (model.pt)."""
    from vaenas.objectives.trained_model import load_model as load

    return load(path)
