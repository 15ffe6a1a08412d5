"""Each command's content is computed once: forward runs no backward pass, and --wrt on a
data set runs its extra passes once however many names it explains."""
import pytest

from bpcli.engine import Graph

from conftest import BIG, CONFIGS, run


@pytest.fixture
def backward_passes(monkeypatch):
    """How many backward passes the engine has run."""
    count = [0]
    real = Graph.backward

    def counted(self, caches):
        count[0] += 1
        return real(self, caches)

    monkeypatch.setattr(Graph, "backward", counted)
    return count


@pytest.mark.parametrize("config", sorted(p.name for p in CONFIGS.glob("*.yaml") if p.name != BIG))
def test_forward_runs_no_backward_pass(config, backward_passes):
    run("forward", CONFIGS / config)
    run("forward", CONFIGS / config, "--format", "json")
    assert backward_passes[0] == 0


def test_wrt_on_a_data_set_runs_its_extra_passes_once(backward_passes):
    run("grad", CONFIGS / "xor.yaml", "--wrt", "w1")
    one = backward_passes[0]
    backward_passes[0] = 0
    run("grad", CONFIGS / "xor.yaml", "--wrt", "w1", "--wrt", "H1", "--wrt", "w5", "--wrt", "x1")
    # the run itself, every value repeated per sample, and sample 0 alone: three, for any count
    assert one == backward_passes[0] == 3


def test_table_and_json_come_from_one_run(backward_passes):
    run("grad", CONFIGS / "xor.yaml")
    table = backward_passes[0]
    backward_passes[0] = 0
    run("grad", CONFIGS / "xor.yaml", "--format", "json")
    assert table == backward_passes[0] == 2  # the run, and each sample's share of ∂E
