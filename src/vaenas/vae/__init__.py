"""The architecture VAE: graph encoder, decoder, ELBO, pretraining and quality metrics."""

from vaenas.vae.archvae import ArchVAE
from vaenas.vae.model import VAEConfig
from vaenas.vae.pretrain import cached_vae, pretrain, save_pretrained
from vaenas.vae.quality import VAEQuality, measure_quality

__all__ = ["ArchVAE", "VAEConfig", "VAEQuality", "cached_vae", "measure_quality", "pretrain", "save_pretrained"]
