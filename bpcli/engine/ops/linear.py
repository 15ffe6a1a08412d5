"""Weighted sums: conv2d and dense, in PyTorch's layouts.

Images are N×C×H×W, conv weights filters×channels×kh×kw, dense weights units×inputs.
No op loops over pixels, samples or channels; conv's backward loops over the kh·kw
offsets of the kernel (a handful), each step one matrix product.
"""
from __future__ import annotations

import numpy as np

from ...text import shape_phrase
from ..registry import LayerType, Made, register
from .tensor_rules import conv2d_rules, conv2d_unit, dense_unit
from .windows import images, offsets, pair, pair_text, unused_text

CONV_LAYOUT = "filters × channels × kh × kw"
IM2COL_MAX = 2**24  # cells gathered for conv's one product (128 MB); past it, one per offset
DENSE_LAYOUT = "units × inputs"


# ------------------------------------------------------------------ conv2d

def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int | tuple = 1,
                   padding: int | tuple = 0) -> tuple[np.ndarray, tuple]:
    """x: N×C×H×W, w: F×C×kh×kw, b: F → N×F×OH×OW (cross-correlation, as frameworks do:
    the kernel is not flipped); cache: (x's shape, padded x, w, stride, padding).

    The windows' cells are gathered one kernel offset at a time into (N·OH·OW)×(kh·kw·C)
    and multiplied by the weights in one product; past IM2COL_MAX cells, each offset's
    product is added up instead.  The 6-D window view is never copied whole (a 100×100
    kernel over a 1000×1000 image would want 60 GiB)."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    f, c, kh, kw = w.shape
    n, out_hw = x.shape[0], ((xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1)
    xt = xp.transpose(0, 2, 3, 1)  # N×H×W×C: the channels last, for matmul
    cells = list(offsets((kh, kw), (sh, sw), out_hw))
    if n * out_hw[0] * out_hw[1] * kh * kw * c <= IM2COL_MAX:
        cols = np.empty((n, *out_hw, kh * kw, c))
        for k, (_, _, ys, xs) in cells:
            cols[:, :, :, k, :] = xt[:, ys, xs, :]
        out = cols.reshape(-1, kh * kw * c) @ w.transpose(2, 3, 1, 0).reshape(-1, f)
        out = out.reshape(n, *out_hw, f)
    else:
        out = np.zeros((n, *out_hw, f))
        for k, (_, _, ys, xs) in cells:
            out += xt[:, ys, xs, :] @ w[:, :, k // kw, k % kw].T
    return out.transpose(0, 3, 1, 2) + b[None, :, None, None], (x.shape, xp, w, (sh, sw), (ph, pw))


def conv2d_backward(dout: np.ndarray, cache: tuple, need: tuple[bool, ...] = (True, True, True)
                    ) -> tuple[np.ndarray | float, np.ndarray, np.ndarray]:
    """dout: N×F×OH×OW → (dx: N×C×H×W, dw: F×C×kh×kw, db: F); dx is 0.0 when ``need``
    says the input wants no gradient (training: the input is data)."""
    # One matrix product per offset (ky, kx) of the kernel: the weight at that offset met
    # the input cells of offsets()' slice, one per output unit (faster than one einsum
    # over the 6-D window view, which NumPy cannot hand to BLAS).
    x_shape, xp, w, stride, (ph, pw) = cache
    f, c, kh, kw = w.shape
    db = dout.sum(axis=(0, 2, 3))
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # (N·OH·OW)×F
    xt = xp.transpose(0, 2, 3, 1)  # N×H×W×C: the channels last, for matmul
    cells = list(offsets((kh, kw), stride, dout.shape[2:]))
    dw = np.empty(w.shape)
    for k, (_, _, ys, xs) in cells:
        dw[:, :, k // kw, k % kw] = d2.T @ xt[:, ys, xs, :].reshape(-1, c)
    if not need[0]:  # the input is data: training wants no ∂E/∂input (half the work)
        return 0.0, dw, db
    dt = d2.reshape(*dout.shape[:1], *dout.shape[2:], f)  # N×OH×OW×F
    dxt = np.zeros(xt.shape)
    for k, (_, _, ys, xs) in cells:
        dxt[:, ys, xs, :] += dt @ w[:, :, k // kw, k % kw]
    h, wd = x_shape[2:]
    return dxt.transpose(0, 3, 1, 2)[:, :, ph:ph + h, pw:pw + wd], dw, db


def _conv2d_feeds(k, index, site):
    """An input pixel feeds every output unit whose window covers it, through the weight
    at its place in that window; a weight feeds every output unit of its filter, through
    the input pixel it meets there; a bias every unit of its filter, through 1."""
    x, w, _ = site.inputs
    (sh, sw), (ph, pw) = pair(site.attrs.get("stride", 1)), pair(site.attrs.get("padding", 0))
    filters, _, kh, kw = w.shape
    oh, ow = np.shape(site.out)[2:]
    if k == 0:
        n, c, i, j = index
        oy, ox = np.arange(oh), np.arange(ow)
        ky, kx = i + ph - oy * sh, j + pw - ox * sw  # where the pixel sits in each window
        oy, ky = oy[(ky >= 0) & (ky < kh)], ky[(ky >= 0) & (ky < kh)]
        ox, kx = ox[(kx >= 0) & (kx < kw)], kx[(kx >= 0) & (kx < kw)]
        return [((n, f, a, b), w[f, c, p, q], site.label(1, (f, c, p, q)))
                for f in range(filters) for a, p in zip(oy, ky) for b, q in zip(ox, kx)]
    units = [(n, a, b) for n in range(x.shape[0]) for a in range(oh) for b in range(ow)]
    if k == 2:
        (f,) = index
        return [((n, f, a, b), 1.0, "1: the bias is added") for n, a, b in units]
    f, c, p, q = index
    h, wd = x.shape[2:]
    rows = []
    for n, a, b in units:
        i, j = a * sh + p - ph, b * sw + q - pw  # the input pixel the weight meets
        if 0 <= i < h and 0 <= j < wd:
            rows.append(((n, f, a, b), x[n, c, i, j], site.label(0, (n, c, i, j))))
        else:
            rows.append(((n, f, a, b), 0.0, "0: it meets the zero padding"))
    return rows


def _conv2d_layer(s):
    c, h, w = images(s)
    filters = s.integer("filters")
    kernel = s.integer("kernel", pair=True)
    stride = s.integer("stride", 1, pair=True)
    padding = s.integer("padding", 0, minimum=0, pair=True)
    weight = s.weight(4, CONV_LAYOUT)
    filters = s.count(filters, weight, "filters")
    if kernel is None:
        if weight is None or weight.ndim != 4:
            s.fail(f"{s.what} needs a kernel size, e.g. kernel: 3")
        kernel = weight.shape[2:]
    kh, kw = kernel
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    if kh > h + 2 * ph or kw > w + 2 * pw:
        s.fail(f"{s.what}: the {kh}×{kw} kernel is larger than its {h}×{w} input"
               + (f" padded by {ph}×{pw}" if ph or pw else "") + "; use a smaller kernel")
    wshape = (filters, c, kh, kw)
    s.check_size(wshape, f"{s.what}: the weight")
    params = s.params(wshape, (filters,), c * kh * kw, CONV_LAYOUT)
    out = (filters, (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1)
    text = (f"conv2d {filters}@{kh}×{kw}, stride {pair_text((sh, sw))}, "
            f"padding {pair_text((ph, pw))}")
    text += unused_text(s.in_shape, out, (kh, kw), (sh, sw), (ph, pw))
    return Made("conv2d", {"stride": (sh, sw), "padding": (ph, pw)}, out, text, params,
                int(np.prod(out, dtype=float) * c * kh * kw))


register("conv2d", conv2d_forward, conv2d_backward, None, 3, feeds=_conv2d_feeds,
         rules=conv2d_rules, unit=conv2d_unit,
         layer=LayerType("conv2d", ("filters", "kernel", "stride", "padding", "weight", "bias",
                                    "init"), _conv2d_layer, prefix="conv", takes="images"))


# ------------------------------------------------------------------ dense

def dense_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray
                  ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """x: N×D, w: U×D (PyTorch's layout), b: U → N×U; cache: (x, w)."""
    return x @ w.T + b, (x, w)


def dense_backward(dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray],
                   need: tuple[bool, ...] = (True, True, True)
                   ) -> tuple[np.ndarray | float, np.ndarray, np.ndarray]:
    """dout: N×U → (dx: N×D, dw: U×D, db: U); dx is 0.0 when ``need`` says the input
    wants no gradient."""
    x, w = cache
    return dout @ w if need[0] else 0.0, dout.T @ x, dout.sum(axis=0)


def _dense_feeds(k, index, site):
    """An input feeds every unit through its weight; a weight feeds its unit in every
    sample through that sample's input; a bias its unit in every sample, through 1."""
    x, w, _ = site.inputs
    if k == 0:
        n, i = index
        return [((n, j), w[j, i], site.label(1, (j, i))) for j in range(w.shape[0])]
    if k == 1:
        j, i = index
        return [((n, j), x[n, i], site.label(0, (n, i))) for n in range(x.shape[0])]
    (j,) = index
    return [((n, j), 1.0, "1: the bias is added") for n in range(x.shape[0])]


def _dense_layer(s):
    if len(s.in_shape) != 1:
        s.fail(f"{s.what} needs a vector, but gets {shape_phrase(s.in_shape)}; "
               "add {type: flatten} before it")
    (d,) = s.in_shape
    units = s.integer("units")
    weight = s.weight(2, DENSE_LAYOUT)
    units = s.count(units, weight, "units")
    s.check_size((units, d), f"{s.what}: the weight")
    params = s.params((units, d), (units,), d, DENSE_LAYOUT)
    return Made("dense", {}, (units,), f"dense, {units} units", params, units * d)


register("dense", dense_forward, dense_backward, None, 3, feeds=_dense_feeds, unit=dense_unit,
         layer=LayerType("dense", ("units", "weight", "bias", "init"), _dense_layer, prefix="fc",
                           takes="vector"))
