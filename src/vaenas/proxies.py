"""Zero-cost proxies of any PyTorch network (`from vaenas.proxies import synflow`): what
`vaenas.objectives.proxies` computes, under the name a user looks for."""

from vaenas.objectives.proxies import flops, grad_norm, naswot, params, snip, synflow

__all__ = ["flops", "grad_norm", "naswot", "params", "snip", "synflow"]
