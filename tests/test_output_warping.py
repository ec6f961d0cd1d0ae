import numpy as np
import pytest

from vaenas.errors import UnknownNameError, VaenasError
from vaenas.search import make_strategy
from vaenas.search.output_warping import warp_values
from vaenas.spaces import make_space

SKEWED = np.array([10.0, 70.0, 71.0, 73.5, 73.4, 73.5, 11.0])


@pytest.mark.parametrize("kind", ["rank", "log"])
def test_warps_keep_the_order_and_spread_the_top(kind):
    warped = warp_values(SKEWED, kind)
    assert np.array_equal(np.argsort(warped, kind="stable"), np.argsort(SKEWED, kind="stable"))
    assert warped[3] == warped[5]  # ties stay ties
    # 3.5 points at the top against 60 in the tail: the top's share grows tenfold or more
    share = (warped[3] - warped[1]) / (warped[1] - warped[0])
    assert share > 10 * (SKEWED[3] - SKEWED[1]) / (SKEWED[1] - SKEWED[0])


def test_no_warp_and_unknown_warp():
    assert np.array_equal(warp_values(SKEWED, "none"), SKEWED)
    with pytest.raises(UnknownNameError, match="unknown warp 'cube'; choose one of: none, rank, log"):
        warp_values(SKEWED, "cube")


@pytest.mark.parametrize("kind", ["rank", "log"])
def test_bo_with_a_warp_fits_its_gp_to_warped_values(kind, nb201_vae):
    space = make_space("nb201")
    strategy = make_strategy("bo", space, seed=0, vae=nb201_vae, n_init=5, warp=kind)
    values = iter([10.0, 70.0, 71.0, 73.5, 11.0, 72.0, 60.0])
    for _ in range(7):
        (arch,) = strategy.ask(1)
        strategy.tell(arch, next(values))
    strategy.ask(1)
    model = strategy._gp.model
    transform = model.outcome_transform  # the GP standardizes what it is given
    fitted = (model.train_targets * transform.stdvs.squeeze() + transform.means.squeeze()).numpy()
    assert np.allclose(fitted, warp_values(np.array(strategy._values), kind), atol=1e-5)


def test_bo_refuses_an_unknown_warp(nb201_vae):
    with pytest.raises(VaenasError, match="warp"):
        make_strategy("bo", make_space("nb201"), vae=nb201_vae, warp="cube")
