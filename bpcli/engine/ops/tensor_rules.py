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
    per_sample = np.einsum("ncijhw,nfhw->nfcij", windows, dd, optimize=True)
    dw = per_sample.sum(axis=0)
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
            "weight_per_sample": per_sample,
            "stride": (sh, sw), "padding": (ph, pw)}


def conv2d_unit(site, index: tuple) -> dict:
    """One output unit (n, f, i, j) from its window, read off the forward values: every
    x·w it adds (x 0 where the window meets the padding) and the bias; the window's input
    and the filter, C×kh×kw each."""
    x, w, b = site.inputs
    (sh, sw), (ph, pw) = pair(site.attrs.get("stride", 1)), pair(site.attrs.get("padding", 0))
    n, f, i, j = index
    _, c, kh, kw = w.shape
    xp = np.pad(x[n], ((0, 0), (ph, ph), (pw, pw)))
    window = xp[:, i * sh:i * sh + kh, j * sw:j * sw + kw]
    terms = []
    for ch, a, bb in np.ndindex(c, kh, kw):
        y, xx = i * sh + a - ph, j * sw + bb - pw  # the pixel in the unpadded input
        inside = 0 <= y < x.shape[2] and 0 <= xx < x.shape[3]
        terms.append((site.label(0, (n, ch, y, xx)) if inside else "padding",
                      float(window[ch, a, bb]), site.label(1, (f, ch, a, bb)),
                      float(w[f, ch, a, bb])))
    return {"terms": terms, "bias": (site.label(2, (f,)), float(b[f])), "window": window,
            "kernel": w[f], "at": (i * sh - ph, j * sw - pw)}


def dense_unit(site, index: tuple) -> dict:
    """One output unit (n, u): Σ_d x[n,d]·w[u,d] + b[u], every product."""
    x, w, b = site.inputs
    n, u = index
    terms = [(site.label(0, (n, d)), float(x[n, d]), site.label(1, (u, d)), float(w[u, d]))
             for d in range(x.shape[1])]
    return {"terms": terms, "bias": (site.label(2, (u,)), float(b[u]))}


def pool_rules(kind: str):
    """The rules of a pool of ``kind`` ("max", "mean"): per window its winner (max; ties
    marked) or its equal shares (mean), and — given ∂E/∂out — the gradient handed back,
    scattered window by window with np.add.at, never through ``backward``."""

    def rules(inputs: list, dout: np.ndarray | None, attrs: dict) -> dict:
        x = inputs[0]
        (kh, kw), (sh, sw) = pair(attrs.get("size", 2)), pair(attrs.get("stride") or
                                                              attrs.get("size", 2))
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        win = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw][:, :, :oh, :ow]
        rows = np.arange(oh)[:, None, None, None] * sh + np.arange(kh)[None, None, :, None]
        cols = np.arange(ow)[None, :, None, None] * sw + np.arange(kw)[None, None, None, :]
        out = {"size": (kh, kw), "stride": (sh, sw)}
        if kind == "max":
            flat = win.reshape(n, c, oh, ow, kh * kw)
            arg = np.argmax(flat, axis=-1)  # the first of a tie, as the forward pass
            out["winners"] = (np.arange(oh)[:, None] * sh + arg // kw,
                              np.arange(ow)[None, :] * sw + arg % kw)
            out["ties"] = (flat == flat.max(axis=-1, keepdims=True)).sum(axis=-1) > 1
        if dout is None:
            return out
        dx = np.zeros(x.shape)
        ni, ci = np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None]
        if kind == "max":
            np.add.at(dx, (ni, ci, *out["winners"]), dout)
        else:  # every pixel of a window gets 1/(kh·kw) of its gradient
            share = np.broadcast_to((dout / (kh * kw))[..., None, None], (n, c, oh, ow, kh, kw))
            np.add.at(dx, (ni[..., None, None], ci[..., None, None],
                           np.broadcast_to(rows, (oh, ow, kh, kw)),
                           np.broadcast_to(cols, (oh, ow, kh, kw))), share)
        out["input"] = dx
        return out

    return rules
