"""PyTorch networks built from a macro architecture: a CNN classifier and the seed
article's convolutional image VAE."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from vaenas.spaces.macro import Stage


def _down(c_in: int, c_out: int, kernel: int) -> nn.Conv2d:
    """Stride-2 convolution that halves an even spatial size for kernels 3, 4 or 5."""
    return nn.Conv2d(c_in, c_out, kernel, stride=2, padding=(kernel - 1) // 2)


def _same(c_in: int, c_out: int, kernel: int) -> nn.Module:
    """Size-preserving convolution; an even kernel gets explicit asymmetric padding."""
    if kernel % 2:
        return nn.Conv2d(c_in, c_out, kernel, stride=1, padding=kernel // 2)
    low, high = (kernel - 1) // 2, kernel // 2
    return nn.Sequential(nn.ZeroPad2d((low, high, low, high)), nn.Conv2d(c_in, c_out, kernel))


def _up(c_in: int, c_out: int, kernel: int) -> nn.ConvTranspose2d:
    """Stride-2 transposed convolution that doubles the spatial size (mirror of `_down`)."""
    return nn.ConvTranspose2d(
        c_in, c_out, kernel, stride=2, padding=(kernel - 1) // 2, output_padding=kernel % 2
    )


class Normalize(nn.Module):
    """Per-channel standardisation inside the network, so a saved model takes raw images."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


def build_classifier(
    stages: Sequence[Stage], in_shape: Sequence[int], n_classes: int,
    mean: Sequence[float], std: Sequence[float],
) -> nn.Sequential:
    """Conv-BN-ReLU layers stage by stage, stride 2 at the start of every stage but the
    first, then global average pooling and a linear classifier."""
    layers: list[nn.Module] = [Normalize(mean, std)]
    channels = in_shape[0]
    for i, stage in enumerate(stages):
        for j in range(stage.depth):
            conv = _down if (i > 0 and j == 0) else _same
            layers += [conv(channels, stage.width, stage.kernel), nn.BatchNorm2d(stage.width), nn.ReLU(inplace=True)]
            channels = stage.width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, n_classes)]
    return nn.Sequential(*layers)


class ConvImageVAE(nn.Module):
    """The seed article's convolutional VAE, generalised to a macro architecture.

    Encoder: per stage a stride-2 conv (then depth-1 same-size convs), ReLU after each;
    linear heads for mu and logvar. Decoder: linear back to the last feature map, then
    the stages mirrored with stride-2 transposed convs, sigmoid at the end. With stages
    d1w32k4+d1w64k4+d1w128k4 on 3x32x32 images it is the article's network exactly.
    """

    def __init__(self, stages: Sequence[Stage], in_shape: Sequence[int], latent_dim: int) -> None:
        super().__init__()
        channels, height, width = in_shape
        encoder: list[nn.Module] = []
        c = channels
        for stage in stages:
            encoder += [_down(c, stage.width, stage.kernel), nn.ReLU(inplace=True)]
            for _ in range(stage.depth - 1):
                encoder += [_same(stage.width, stage.width, stage.kernel), nn.ReLU(inplace=True)]
            c = stage.width
        scale = 2 ** len(stages)
        self.feature_shape = (c, height // scale, width // scale)
        features = c * self.feature_shape[1] * self.feature_shape[2]
        self.encoder = nn.Sequential(*encoder, nn.Flatten())
        self.fc_mu = nn.Linear(features, latent_dim)
        self.fc_logvar = nn.Linear(features, latent_dim)
        self.decoder_input = nn.Linear(latent_dim, features)
        decoder: list[nn.Module] = []
        outputs = [channels, *(s.width for s in stages[:-1])]
        for stage, c_out in zip(reversed(stages), reversed(outputs)):
            for _ in range(stage.depth - 1):
                decoder += [_same(stage.width, stage.width, stage.kernel), nn.ReLU(inplace=True)]
            decoder += [_up(stage.width, c_out, stage.kernel), nn.ReLU(inplace=True)]
        decoder[-1] = nn.Sigmoid()
        self.decoder = nn.Sequential(*decoder)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
        return mu + torch.randn_like(mu) * torch.exp(logvar / 2)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.decoder_input(z).view(-1, *self.feature_shape))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def negative_elbo(
    model: ConvImageVAE, x: torch.Tensor
) -> torch.Tensor:
    """Summed negative ELBO of a batch: Bernoulli (BCE) reconstruction plus KL to N(0, I)."""
    recon, mu, logvar = model(x)
    # written out rather than F.binary_cross_entropy, which raises on NaN instead of
    # letting the training loop see the divergence
    p = recon.clamp(1e-7, 1 - 1e-7)
    bce = -torch.sum(x * torch.log(p) + (1 - x) * torch.log1p(-p))
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kl


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_flops(model: nn.Module, in_shape: Sequence[int]) -> int:
    """Multiply-accumulates of one forward pass on one image (conv and linear layers)."""
    total = 0

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += output.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.ConvTranspose2d):
            total += inputs[0].numel() * module.out_channels * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.Linear):
            total += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *in_shape))
    model.train(was_training)
    for handle in handles:
        handle.remove()
    return total
