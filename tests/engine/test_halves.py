"""Big batches run each half of their samples on a core of its own (windows.by_halves):
the numbers are those of one pass, bit for bit, and the caller's floating-point settings
hold on the helper thread too."""
import warnings

import numpy as np
import pytest

from bpcli.engine.ops import windows
from bpcli.engine.registry import OPS


def _run_all(rng_seed=4):
    rng = np.random.default_rng(rng_seed)
    x = rng.normal(size=(6, 3, 9, 10))
    x[1, 0, 2, :3] = [0.0, -0.0, 2.0]
    w, b = rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)
    results = []
    for stride, padding in [(1, 0), (1, 1), (2, 1)]:
        out, cache = OPS["conv2d"].forward(x, w, b, stride=stride, padding=padding)
        results += [out, *OPS["conv2d"].backward(np.cos(out), cache)]
    for size, stride in [(2, None), (3, 2), ((2, 3), (1, 2))]:
        out, cache = OPS["maxpool"].forward(np.round(x), size=size, stride=stride)
        results += [out, cache[1], *OPS["maxpool"].backward(np.sin(out), cache)]
    out, cache = OPS["relu"].forward(x)
    results += [out, *OPS["relu"].backward(np.cos(x), cache), *OPS["relu0"].backward(x, cache)]
    return results


@pytest.mark.parametrize("seed", [4, 5])
def test_two_halves_give_one_pass_numbers_bit_for_bit(seed, monkeypatch):
    monkeypatch.setattr(windows, "HALVES_MIN", 1 << 60)
    monkeypatch.setattr(windows.os, "cpu_count", lambda: 2)
    one = _run_all(seed)
    monkeypatch.setattr(windows, "HALVES_MIN", 0)  # every op splits its batch
    two = _run_all(seed)
    assert len(one) == len(two)
    for a, b in zip(one, two):
        assert np.shape(a) == np.shape(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_the_helper_thread_keeps_the_callers_floating_point_settings(monkeypatch):
    monkeypatch.setattr(windows, "HALVES_MIN", 0)
    monkeypatch.setattr(windows.os, "cpu_count", lambda: 2)
    x = np.ones((4, 5))
    dout = np.ones((4, 5))
    dout[3, 0] = np.inf  # in the second half: inf·0 is invalid there
    x[3, 0] = -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="ignore"):
            (dx,) = OPS["relu"].backward(dout, x)
    assert np.isnan(dx[3, 0])
    with pytest.raises(FloatingPointError), np.errstate(invalid="raise"):
        OPS["relu"].backward(dout, x)


def test_a_mistake_in_one_half_waits_for_the_other(monkeypatch):
    """The caller unwinds only once the helper has stopped writing its arrays."""
    import time

    monkeypatch.setattr(windows, "HALVES_MIN", 0)
    monkeypatch.setattr(windows.os, "cpu_count", lambda: 2)
    done = []

    def work(part):
        if part.start == 0:
            raise ValueError("first half")
        time.sleep(0.2)
        done.append(part)

    with pytest.raises(ValueError, match="first half"):
        windows.by_halves(4, 100, work)
    assert done == [slice(2, 4)]


def test_a_big_batch_asks_malloc_to_keep_freed_memory(monkeypatch):
    """Fresh pages for each step's big arrays were half the conv step (page faults); the
    first big batch asks glibc to keep freed memory, once (elsewhere it does nothing)."""
    calls = []
    monkeypatch.setattr(windows, "_kept", [])
    monkeypatch.setattr(windows, "keep_freed_memory", lambda: (calls.append(1),
                                                                windows._kept.append(True)))
    windows.by_halves(1, windows.HALVES_MIN - 1, lambda part: None)
    assert calls == []
    windows.by_halves(1, windows.HALVES_MIN, lambda part: None)
    windows.by_halves(1, windows.HALVES_MIN, lambda part: None)
    assert calls == [1]


def test_keeping_freed_memory_is_harmless_to_call():
    windows.keep_freed_memory()
    x = np.ones((512, 1024))  # 4 MB: from the kept heap now
    assert x.sum() == 512 * 1024
