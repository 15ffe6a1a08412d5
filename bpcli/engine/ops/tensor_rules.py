"""The backward pass of conv2d and pooling written as whole-tensor rules, computed from the
forward values and ∂E/∂out alone — literally, grid against grid — never through the ops'
``backward``: a second statement of each gradient that explanations print beside it and
check against the backward pass.

conv2d (stride s, padding p, kernel W of F×C×kh×kw, δ = ∂E/∂out):
    ∂E/∂W[f,c] = Σ_n  X̂[n,c] ⋆ δ̂[n,f]           valid cross-correlation; X̂ the input padded
                                                by p, δ̂ the gradient dilated by s (s − 1
                                                zeros between its entries)
    ∂E/∂X[n,c] = Σ_f  full(δ̂[n,f], rot180 W[f,c])  the full correlation with the kernel
                                                turned 180°, cut back by the padding
pools (k×k windows, stride s): each window hands its gradient back to its input pixels,
max to its winner, mean 1/(k·k) to each; the shares of a window add up to its ∂E.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .windows import pair


def dilate(d: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """N×F×OH×OW → N×F×((OH−1)·sh+1)×((OW−1)·sw+1): s − 1 zeros between the entries."""
    sh, sw = stride
    n, f, oh, ow = d.shape
    out = np.zeros((n, f, (oh - 1) * sh + 1, (ow - 1) * sw + 1))
    out[:, :, ::sh, ::sw] = d
    return out


def conv2d_rules(inputs: list, dout: np.ndarray, attrs: dict) -> dict:
    """The grids of conv2d's two rules (shapes with the batch axis first): the padded input,
    δ and δ dilated, the kernel turned 180°, and the results ∂E/∂W, ∂E/∂X."""
    x, w = inputs[0], inputs[1]
    (sh, sw), (ph, pw) = pair(attrs.get("stride", 1)), pair(attrs.get("padding", 0))
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dd = dilate(np.asarray(dout, dtype=float), (sh, sw))
    hd, wd = dd.shape[2:]
    # ∂E/∂W: slide δ̂ over X̂; the first kh×kw placements (a stride that leaves the last
    # rows of X̂ unused puts no placement past them)
    windows = sliding_window_view(xp, (hd, wd), axis=(2, 3))[:, :, :kh, :kw]
    dw = np.einsum("ncijhw,nfhw->fcij", windows, dd, optimize=True)
    # ∂E/∂X: δ̂ padded by the kernel less one on every side, correlated with W turned 180°
    turned = w[:, :, ::-1, ::-1]
    full = np.pad(dd, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    part = np.einsum("nfijhw,fchw->ncij", sliding_window_view(full, (kh, kw), axis=(2, 3)),
                     turned, optimize=True)
    dxp = np.zeros(xp.shape)
    dxp[:, :, :part.shape[2], :part.shape[3]] = part  # rows no window reached: 0
    dx = dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]
    return {"x_padded": xp, "delta": np.asarray(dout, dtype=float), "delta_dilated": dd,
            "kernel": w, "kernel_turned": turned, "weight": dw, "input": dx,
            "stride": (sh, sw), "padding": (ph, pw)}
