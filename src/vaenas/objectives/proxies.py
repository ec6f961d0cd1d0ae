"""Zero-cost proxies: what an untrained network says of how well it will train, from one
mini-batch or none (Abdelfattah et al., ICLR 2021; Mellor et al., ICML 2021).

Every proxy takes a network (any `nn.Module` the project builds) and returns a float,
higher meaning "predicted better" except where its docstring says otherwise. The
network's weights are left as they were."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from vaenas.objectives.networks import count_flops, count_parameters

Proxy = Callable[..., float]


def params(model: nn.Module, in_shape: tuple[int, int, int] = (3, 32, 32)) -> float:
    """Parameter count: a strong baseline, since larger cells of these spaces train better."""
    return float(count_parameters(model))


def flops(model: nn.Module, in_shape: tuple[int, int, int] = (3, 32, 32)) -> float:
    """Multiply-accumulates of one forward pass on one image."""
    return float(count_flops(model, in_shape))


def synflow(model: nn.Module, in_shape: tuple[int, int, int] = (3, 32, 32)) -> float:
    """SynFlow (Tanaka et al., NeurIPS 2020), data-free: with every weight replaced by its
    absolute value and an all-ones input, the sum over parameters of |theta * dR/dtheta|
    where R is the sum of the output. Computed in double precision on a copy in eval mode
    (batch norm with its initial statistics is then an identity), so that deep networks
    do not overflow and the caller's model is untouched."""
    net = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for p in net.parameters():
            p.abs_()
    net.zero_grad()
    net(torch.ones(1, *in_shape, dtype=torch.float64)).sum().backward()
    total = sum((p * p.grad).abs().sum().item() for p in net.parameters() if p.grad is not None)
    return float(total)


def naswot(model: nn.Module, images: torch.Tensor) -> float:
    """NASWOT (Mellor et al., ICML 2021): log |K| of the kernel of binary ReLU activation
    codes over a mini-batch; images that the untrained network tells apart score higher."""
    codes: list[torch.Tensor] = []

    def hook(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        codes.append((inputs[0].detach().flatten(1) > 0).float())

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            model(images)
    finally:
        for h in handles:
            h.remove()
    c = torch.cat(codes, dim=1).double()
    kernel = c @ c.T + (1 - c) @ (1 - c).T
    return float(np.linalg.slogdet(kernel.numpy())[1])


def grad_norm(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """The norm of the loss gradient over the weights, for one mini-batch."""
    net = copy.deepcopy(model).train()
    nn.functional.cross_entropy(net(images), labels).backward()
    return float(sum(p.grad.norm().item() ** 2 for p in net.parameters() if p.grad is not None) ** 0.5)


def snip(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """SNIP's connection sensitivity summed over weights: sum |theta * dL/dtheta|."""
    net = copy.deepcopy(model).train()
    nn.functional.cross_entropy(net(images), labels).backward()
    return float(sum((p * p.grad).abs().sum().item() for p in net.parameters() if p.grad is not None))


DATA_FREE: dict[str, Proxy] = {"synflow": synflow, "params": params, "flops": flops}
"""The proxies that need no data: computed for every NAS-Bench-201 cell and shipped."""
