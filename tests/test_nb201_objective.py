import pytest

from vaenas.errors import UnknownNameError
from vaenas.objectives import make_objective
from vaenas.spaces import make_space

PUBLISHED_OPTIMA = {"cifar10": 94.373, "cifar100": 73.513, "imagenet16-120": 47.311}


@pytest.mark.parametrize("dataset", sorted(PUBLISHED_OPTIMA))
def test_optimum_matches_natsbench(dataset):
    objective = make_objective("nb201", dataset)
    assert objective.optimum == pytest.approx(PUBLISHED_OPTIMA[dataset], abs=1e-3)
    assert objective.regret(objective.optimum) == 0


def test_every_cell_of_the_space_is_in_the_table():
    space, objective = make_space("nb201"), make_objective("nb201", "cifar100")
    values = [objective.evaluate(arch).value for arch in space.enumerate()]
    assert len(values) == 15_625
    assert max(values) == objective.optimum
    assert 0 < min(values) < 5  # cells whose output is disconnected score chance level


def test_known_cell_value_and_metrics():
    space, objective = make_space("nb201"), make_objective("nb201", "cifar10")
    arch = space.parse(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    )
    evaluation = objective.evaluate(arch)
    assert evaluation.value == pytest.approx(93.66, abs=1e-6)
    assert evaluation.metrics["test_accuracy"] == evaluation.value


def test_unknown_dataset_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="cifar10, cifar100, imagenet16-120"):
        make_objective("nb201", "svhn")
