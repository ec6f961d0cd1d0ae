"""A module-level objective for library tests: pool workers import it by name."""


def conv_count(arch):
    """A stand-in score of a cell: convolutions count, pooling a little."""
    return arch.count("conv") + 0.1 * arch.count("pool")
