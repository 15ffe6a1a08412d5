"""Each report as a JSON document: full float64 precision, null for nan and inf."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import analysis
from ..lazy import lazydispatch
from .numbers import json_value
from .phrases import factored_text, summary

if TYPE_CHECKING:  # registered by name (lazydispatch): JSON imports neither them nor Rich
    from ..analysis import (Chain, CheckReport, ConvRule, ElementChain, ForwardReport, GradReport,
                            MarkReport, Quiz, SampleChain, StepReport, TensorGrad, TrainResult,
                            VectorGrads)

MAX_UNITS_JSON = 1000  # an element's units listed in JSON (the sum covers all)


@lazydispatch
def document(report: object) -> dict:
    """The JSON document of a report."""
    raise TypeError(f"no JSON document for {type(report).__name__}")


@document.register
def _(r: ForwardReport) -> dict:
    doc = {"values": {name: json_value(v) for name, v in r.values.items()}}
    if r.shapes is not None:
        doc["shapes"] = {name: list(shape) for name, shape in r.shapes.items()}
    doc["loss"] = json_value(r.loss)
    if r.pool_maps:
        doc["pool_winners"] = {m.layer: {k: (v if m.batched else v[0]).tolist() for k, v in
                                         (("rows", m.rows), ("cols", m.cols), ("ties", m.ties))}
                               for m in r.pool_maps}
    if r.units:
        doc["units"] = {u.unit: {
            "terms": [{"x_of": xl, "x": json_value(x), "w_of": wl, "w": json_value(w),
                       "product": json_value(p)} for xl, x, wl, w, p in u.terms],
            "bias": {"of": u.bias[0], "value": json_value(u.bias[1])},
            "sum": json_value(u.total), "forward": json_value(u.forward), "verdict": u.verdict,
            **({"window": json_value(u.window), "window_at": list(u.at)}
               if u.window is not None else {})} for u in r.units}
    return doc


@document.register
def _(r: GradReport) -> dict:
    doc = {"loss": json_value(r.loss),
           "grads": {name: json_value(g) for name, g in r.param_grads.items()},
           "node_grads": {name: json_value(r.grads[name]) for name in r.node_grads}}
    if r.jacobians:
        doc["softmax_jacobians"] = {name: json_value(j) for name, j in r.jacobians.items()}
    if r.pool_checks:
        doc["pools"] = {p.layer: {"hands_back": p.share, "to": p.input_name,
                                  "received": json_value(p.received if p.batched
                                                         else p.received[0]),
                                  "handed_back": json_value(p.handed if p.batched
                                                            else p.handed[0]), "sums": p.sums,
                                  "rule_vs_backward": p.by_rule} for p in r.pool_checks}
    if r.explanations:
        doc["chain"] = {key: entry for e in r.explanations for key, entry in chain_entries(e)}
        rules = [e for e in r.explanations if isinstance(e, analysis.ConvRule)]
        if rules:
            doc["conv_rules"] = {}
            for c in rules:
                doc["conv_rules"].setdefault(c.layer, {})[c.which] = _conv_rule(c)
    return doc


@lazydispatch
def chain_entries(e: object) -> list[tuple[str, dict]]:
    """(key, document) of an explanation in grad's "chain" (several for VectorGrads)."""
    raise TypeError(f"no JSON entry for {type(e).__name__}")


def _paths(c: Chain) -> dict:
    doc = {"value": json_value(c.backward),
           "sum_over_paths": json_value(c.total),
           "path_count": c.count,
           "paths": [{"nodes": list(p.nodes),
                      "factors": [{"of": f.of, "wrt": f.wrt, "symbol": f.symbol,
                                   "value": json_value(f.value)} for f in p.factors],
                      "product": json_value(p.product)} for p in c.paths]}
    if c.dp is not None:
        symbols, numbers = factored_text(c.dp.factored, lambda v: repr(float(v)))
        doc["backward_pass"] = {
            "steps": [{"name": st.name, "sum": json_value(st.total),
                       "backward": json_value(st.backward), "verdict": st.verdict,
                       "terms": [{"of": t.of, "grad": json_value(t.grad), "symbol": t.symbol,
                                  "factor": json_value(t.factor),
                                  "product": json_value(t.product)} for t in st.terms]}
                      for st in c.dp.steps],
            "factored": symbols, "factored_numbers": numbers,
            "names_visited": c.dp.visited}
    return doc


@chain_entries.register
def _(c: ConvRule):
    return []  # under the document's conv_rules (see the GradReport document)


def _conv_rule(c: ConvRule) -> dict:
    """A conv rule's own grids (the batch axis first), its result and its verdict."""
    g = c.grids
    strided = tuple(c.stride) != (1, 1)
    doc = {"rule": "∂E/∂W = X̂ ⋆ δ̂ (valid)" if c.which == "weight" else
                   "∂E/∂X = full(δ̂, rot180 W), cut back by the padding",
           "of": c.weight_name if c.which == "weight" else c.input_name,
           "stride": list(c.stride), "padding": list(c.padding)}
    if c.which == "weight":
        doc["x_padded"] = json_value(g["x_padded"])
    else:
        doc["kernel_turned"] = json_value(g["kernel_turned"])
    if strided:  # else δ̂ is δ, ∂E/∂layer, in node_grads
        doc["delta_dilated"] = json_value(g["delta_dilated"])
    doc.update(result=json_value(c.result), verdict=c.verdict)
    return doc


@chain_entries.register
def _(c: Chain):
    return [(c.wrt, _paths(c))]


@chain_entries.register
def _(sc: SampleChain):
    # the paths are sample k's; value is ∂E/∂name over the set
    entry = _paths(sc.at_sample)
    return [(sc.at_sample.wrt, {"value": json_value(sc.backward), "sample": sc.sample,
                            "sample_value": entry.pop("value"), **entry,
                            "per_sample": json_value(sc.per_sample)})]


@chain_entries.register
def _(v: VectorGrads):
    routes = {s.z: s for s in v.routes}
    out = []
    for name, g in v.grads:
        entry = {"value": json_value(g)}
        s = routes.get(name)
        if s is not None and s.jacobian is not None:  # the Jacobian route through a softmax
            entry["jacobian_route"] = {
                "through": s.name, "jacobian": json_value(s.jacobian),
                "grad_of_softmax": json_value(s.da), "value": json_value(s.route),
                "verdict": s.route_verdict}
            if s.expected is not None:
                entry["jacobian_route"]["a_minus_y"] = {"value": json_value(s.expected),
                                                        "verdict": s.verdicts[0]}
        out.append((name, entry))
    return out


@chain_entries.register
def _(t: TensorGrad):
    return [(t.name, {"value": json_value(t.value)})]


@chain_entries.register
def _(c: ElementChain):
    return [(c.wrt, {"value": json_value(c.backward), "sum_over_units": json_value(c.total),
                     "consumer": c.consumer, "unit_count": len(c.units),
                     "units": [{"unit": u.unit, "factor": json_value(u.factor), "why": u.why,
                                "grad": json_value(u.grad), "product": json_value(u.product)}
                               for u in c.units[:MAX_UNITS_JSON]]})]


@document.register
def _(result: TrainResult) -> dict:
    doc = {"history": [{"step": k, "loss": json_value(e)}
                       for k, e in enumerate(result.history, 1)],
           "final_loss": json_value(result.final_loss),
           "params": {name: json_value(v) for name, v in result.params.items()},
           "steps": result.steps, "interrupted": result.interrupted}
    if result.halted is not None:  # E not finite at that step: the params are the step before's
        k, e, _ = result.halted
        doc["halted"] = {"step": k, "loss": json_value(e), "params_of_step": k - 1,
                         "updates": result.updates}
    if result.accuracy is not None:
        doc["accuracy"] = {"before": result.accuracy[0], "after": result.accuracy[1]}
    return doc


@document.register
def _(r: CheckReport) -> dict:
    return {"eps": r.eps, "tol": r.tol, "passed": r.passed, "kinks": r.kinks,
            "params": {row.name: {"index": list(row.index), "analytic": json_value(row.analytic),
                                  "numeric": json_value(row.numeric),
                                  "abs_error": json_value(row.abs_error),
                                  "rel_error": json_value(row.rel_error), "status": row.status,
                                  "checked": row.checked, "size": row.size, "kinks": row.kinks}
                       for row in r.rows}}


@document.register
def _(r: StepReport) -> dict:
    keys = ("w", "grad", "change", "new")
    return {"eta": r.eta, "momentum": r.momentum, "by_norm": r.by_norm,
            "params": {x.name: {k: json_value(getattr(x, k)) for k in keys} for x in r.rows},
            "loss_before": json_value(r.loss_before), "loss_after": json_value(r.loss_after),
            "same_as_train": r.agreement == "equal"}


@document.register
def _(r: MarkReport) -> dict:
    w = r.first_wrong
    return {"work": r.work, "eta": r.eta, "eta_from": r.eta_source, "tol": r.tol,
            "numbers": [{"step": x.claim.label, "kind": x.claim.kind, "name": x.claim.name,
                         "of": x.claim.wrt, "index": None if x.claim.index is None
                         else list(x.claim.index), "line": x.claim.line,
                         "yours": x.claim.given, "written": x.claim.text,
                         "right": json_value(x.right), "from_your_numbers": json_value(x.from_yours),
                         "tolerance": x.tolerance, "verdict": x.verdict,
                         "diagnosis": x.diagnosis or None} for x in r.rows],
            "counts": {v: r.count(v) for v in r.VERDICTS},
            "first_wrong": None if w is None else {
                "step": w.label, "formula": w.formula,
                "uses": {name: json_value(v) for name, v in w.uses},
                "right": json_value(w.right), "yours": w.given, "diagnosis": w.diagnosis or None},
            "summary": summary(r), "all_right": r.all_right}


def quiz_document(quiz: Quiz, results: list, right: int) -> dict:
    """A quiz's questions, the answers given (with their verdicts) and the score."""
    questions = []
    for i, q in enumerate(quiz.questions):
        entry = {"question": q.prompt, "kind": q.kind, "right": json_value(q.right),
                 "tolerance": q.tolerance, "formula": q.formula,
                 "uses": {name: json_value(v) for name, v in q.uses}}
        if i < len(results):
            given, marked = results[i]
            row = marked.rows[0] if marked is not None else None
            entry.update(answer=given, verdict=row.verdict if row else "not a number",
                         diagnosis=(row.diagnosis or None) if row else None)
        questions.append(entry)
    return {"net": quiz.title, "seed": quiz.seed, "eta": quiz.eta, "questions": questions,
            "score": {"right": right, "asked": len(quiz.questions), "answered": len(results)}}
