"""The top floor's figures and files: metrics of studies (`metrics.py`) apart from their
pictures (`plots.py`), and what `vaenas compare`, `pareto`, `map` and `train` write
(`comparison.py`, `pareto.py`, `latent_map.py`, `final_training.py`)."""
