"""Weighted sums: conv2d and dense, in PyTorch's layouts.

Images are N×C×H×W, conv weights filters×channels×kh×kw, dense weights units×inputs.
No op loops over pixels, samples or channels in Python; conv gathers its windows one
kernel offset at a time (a handful) and multiplies them in one BLAS product per sample.
"""
from __future__ import annotations

import numpy as np

from ...text import shape_phrase
from ..registry import LayerType, Made, register
from .tensor_rules import conv2d_rules, conv2d_unit, dense_unit
from .windows import by_halves, images, offsets, pair, pair_text, unused_text

CONV_LAYOUT = "filters × channels × kh × kw"
IM2COL_MAX = 2**24  # cells gathered for conv's one product (128 MB); past it, one per offset
DENSE_LAYOUT = "units × inputs"


# ------------------------------------------------------------------ conv2d

def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int | tuple = 1,
                   padding: int | tuple = 0) -> tuple[np.ndarray, tuple]:
    """x: N×C×H×W, w: F×C×kh×kw, b: F → N×F×OH×OW (cross-correlation, as frameworks do:
    the kernel is not flipped); cache: (x's shape, padded x, the gathered windows or
    None, w, stride, padding).

    Im2col in the images' own layout: each sample's windows are gathered, one kernel
    offset at a time, into a (C·kh·kw)×(OH·OW) matrix, and the filters (F×(C·kh·kw), the
    weights as they lie) multiply it, one BLAS product per sample that lands in N×F×OH×OW
    as it is.  The gathered windows are kept for backward.  Past IM2COL_MAX cells each
    offset's product is added up instead: the 6-D window view is never copied whole (a
    100×100 kernel over a 1000×1000 image would want 60 GiB)."""
    (sh, sw), (ph, pw) = pair(stride), pair(padding)
    xp = x
    if ph or pw:  # np.pad's zeros, without its generality (a tenth of a small step)
        xp = np.zeros((*x.shape[:2], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
        xp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]] = x
    f, c, kh, kw = w.shape
    n, oh, ow = x.shape[0], (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    cells = list(offsets((kh, kw), (sh, sw), (oh, ow)))
    if n * oh * ow * kh * kw * c > IM2COL_MAX:
        out = np.zeros((n, f, oh, ow))
        for k, cell in cells:
            out += np.matmul(w[:, :, k // kw, k % kw], xp[cell].reshape(n, c, -1)).reshape(out.shape)
        return out + b[:, None, None], (x.shape, xp, None, w, (sh, sw), (ph, pw))
    cols, out, wm = np.empty((n, c * kh * kw, oh * ow)), np.empty((n, f, oh * ow)), w.reshape(f, -1)

    def work(part):
        grid = cols[part].reshape(-1, c, kh * kw, oh, ow)
        for k, cell in cells:
            grid[:, :, k] = xp[part][cell]
        np.matmul(wm, cols[part], out=out[part])
        out[part] += b[:, None]

    by_halves(n, cols.size + out.size, work)
    return out.reshape(n, f, oh, ow), (x.shape, xp, cols, w, (sh, sw), (ph, pw))


def conv2d_backward(dout: np.ndarray, cache: tuple, need: tuple[bool, ...] = (True, True, True)
                    ) -> tuple[np.ndarray | float, np.ndarray, np.ndarray]:
    """dout: N×F×OH×OW → (dx: N×C×H×W, dw: F×C×kh×kw, db: F); dx is 0.0 when ``need``
    says the input wants no gradient (training: the input is data).

    ∂E/∂W is each sample's δ (F×(OH·OW)) times its gathered windows, summed over the
    samples; ∂E/∂X is Wᵀ·δ (the windows' gradients), each offset's row added back onto
    the input cells it came from (col2im)."""
    x_shape, xp, cols, w, stride, (ph, pw) = cache
    f, c, kh, kw = w.shape
    n, _, oh, ow = dout.shape
    d = dout.reshape(n, f, oh * ow)
    db = dout.sum(axis=(0, 2, 3))
    cells = list(offsets((kh, kw), stride, (oh, ow)))
    if cols is not None:
        each = np.empty((n, f, cols.shape[1]))  # each sample's ∂E/∂W, summed after
        by_halves(n, cols.size, lambda part: np.matmul(d[part], cols[part].transpose(0, 2, 1),
                                                       out=each[part]))
        dw = each.sum(axis=0).reshape(w.shape)
    else:
        dw = np.empty(w.shape)
        for k, cell in cells:
            at = xp[cell].reshape(n, c, -1).transpose(0, 2, 1)
            dw[:, :, k // kw, k % kw] = np.matmul(d, at).sum(axis=0)
    if not need[0]:  # the input is data: training wants no ∂E/∂input (half the work)
        return 0.0, dw, db
    if cols is not None and stride == (1, 1) and np.isfinite(w).all():
        dxp = _col2im_rows(w, dout, xp.shape)
    elif cols is not None:
        dxp = np.zeros(xp.shape)
        dcols = np.matmul(w.reshape(f, -1).T, d).reshape(n, c, kh * kw, oh, ow)
        for k, cell in cells:
            dxp[cell] += dcols[:, :, k]
    else:
        dxp = np.zeros(xp.shape)
        for k, cell in cells:
            dxp[cell] += np.matmul(w[:, :, k // kw, k % kw].T, d).reshape(n, c, oh, ow)
    h, wd = x_shape[2:]
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw, db


def _col2im_rows(w: np.ndarray, dout: np.ndarray, xp_shape: tuple) -> np.ndarray:
    """∂E/∂(padded x) of a stride-1 conv: Wᵀ·δ added back onto the input, each kernel
    offset one contiguous run per image.

    δ is widened to the input's width with zero columns, so that the window at (y, x)
    and offset (ky, kx) lands at flat position (y + ky)·W + x + kx of its image: each
    offset's rows are then one slice of the flat image.  The widened columns add Wᵀ·0,
    an exact ±0, to cells that hold a sum started from +0.0: no bit changes (the weights
    are finite; the caller checks)."""
    f, c, kh, kw = w.shape
    n, _, oh, ow = dout.shape
    width = xp_shape[3]
    flat = np.zeros((n, c, xp_shape[2] * width + kw))  # kw spare: the last row's overhang

    def work(part):
        wide = np.zeros((len(flat[part]), f, oh, width))
        wide[..., :ow] = dout[part]
        dcols = np.matmul(w.reshape(f, -1).T, wide.reshape(len(wide), f, -1))
        dcols = dcols.reshape(len(wide), c, kh * kw, -1)
        for k in range(kh * kw):
            at = (k // kw) * width + k % kw
            flat[part, :, at:at + oh * width] += dcols[:, :, k]

    by_halves(n, flat.size * kh * kw, work)
    return flat[:, :, :xp_shape[2] * width].reshape(xp_shape)


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
    out = np.dot(x, w.T)  # the same BLAS product as x @ w.T, with less of NumPy's dispatch
    out += b  # onto the product's own new array: one allocation less
    return out, (x, w)


def dense_backward(dout: np.ndarray, cache: tuple[np.ndarray, np.ndarray],
                   need: tuple[bool, ...] = (True, True, True)
                   ) -> tuple[np.ndarray | float, np.ndarray, np.ndarray]:
    """dout: N×U → (dx: N×D, dw: U×D, db: U); dx is 0.0 when ``need`` says the input
    wants no gradient."""
    x, w = cache
    return (np.dot(dout, w) if need[0] else 0.0, np.dot(dout.T, x),
            np.add.reduce(dout, axis=0))  # (np.dot: @'s product; add.reduce: .sum(0)'s sum)


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
