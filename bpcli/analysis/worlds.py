"""A net run on a learner's own numbers: every value, local factor, ∂E and updated param
recomputed step by step, each step from the learner's earlier numbers where they gave them.

``run(overrides)`` returns, for every quantity, what its step computes from the quantities
before it, *before* the learner's number replaces it for the steps after: with no overrides
that is the right derivation; with the learner's numbers, "what your earlier numbers give".

Two ways to take the steps: by the named nodes of a net of numbers written as equations
(each local factor from the ops' symbolic rules, evaluated on the learner's values — as a
person computes f(1 − f) from their own f), and by the graph's own forward and backward
walks for every other net (layers, or equations over vectors), a step per named node.
"""
from __future__ import annotations

import numpy as np

from ..engine import LOSS, derivative, evaluate
from ..nets import Net
from ..symbolic import Call, Name, names, to_text


def patched(value, patch):
    """``value`` with the learner's numbers put in: ``patch`` maps an index (() for a
    number) to a number."""
    if not patch:
        return value
    out = np.array(value, dtype=np.float64, copy=True)
    for index, number in patch.items():
        out[index] = number
    return out if out.ndim else np.float64(out)


class EquationWorld:
    """Steps of a net of numbers written as equations, by named node."""

    factors_allowed = True

    def __init__(self, net: Net):
        self.net = net
        self.exprs = net.expressions
        self.leaves = {name: value for name, _, value in net.leaves()}
        self.order = net.node_names() + [LOSS]  # forward
        self.uses = {a: list(dict.fromkeys(names(e))) for a, e in self.exprs.items()}
        reached = {LOSS}  # the names E depends on; a node E does not use has ∂E = 0
        for a in reversed(self.order):
            if a in reached:
                reached.update(self.uses[a])
        self.consumers = {n: [] for n in list(self.leaves) + self.order}
        for a in self.order:
            for b in self.uses[a]:
                if a in reached:
                    self.consumers[b].append(a)
        self.unused = [n for n in self.consumers if n not in reached]
        self.symbols = {(a, b): derivative(self.exprs[a], b, out_name=a)
                        for a in self.order for b in self.uses[a]}
        rank = {LOSS: 0}
        for a in reversed(self.order):  # the longest way down from E: every consumer first
            for b in self.uses[a] if a in reached else ():
                rank[b] = max(rank.get(b, 0), rank[a] + 1)
        position = {n: i for i, n in enumerate(list(self.leaves) + self.order)}
        self.backward = sorted((n for n in rank if n != LOSS), key=lambda n: (rank[n], position[n]))

    def run(self, patches: dict, eta: float) -> dict:
        computed, vals = {}, {}
        for name, value in self.leaves.items():
            computed[("value", name)] = value
            vals[name] = patched(value, patches.get(("value", name)))
        for name in self.order:
            computed[("value", name)] = evaluate(self.exprs[name], vals)
            vals[name] = patched(computed[("value", name)], patches.get(("value", name)))
        factors = {}
        for (a, b), sym in self.symbols.items():
            computed[("factor", a, b)] = np.float64(evaluate(sym, vals))
            factors[a, b] = patched(computed[("factor", a, b)], patches.get(("factor", a, b)))
        grads = {LOSS: np.float64(1.0)}
        computed[("grad", LOSS)] = grads[LOSS]
        for b in self.backward:
            total = np.float64(0.0)
            for a in self.consumers[b]:
                total = total + grads.get(a, 0.0) * factors[a, b]
            computed[("grad", b)] = total
            grads[b] = patched(total, patches.get(("grad", b)))
        for b in self.unused:
            computed[("grad", b)] = np.float64(0.0)
        for p in self.net.params:
            computed[("update", p)] = vals[p] - eta * grads.get(p, 0.0)
        return computed

    # ------------------------------------------------------------------ how a step reads
    def factor_text(self, a, b) -> str:
        return to_text(self.symbols[a, b])

    def formula(self, key: tuple, right: dict, eta: float, index=None) -> tuple[str, list]:
        """The step's formula, and the (label, right value) of everything it uses."""
        kind, name = key[0], key[1]
        if kind == "grad" and name in self.unused:
            return f"∂E/∂{name} = 0: E does not depend on {name}", []
        if kind == "grad" and name == LOSS:
            return "∂E/∂E = 1", []
        if kind == "value":
            if name in self.leaves:
                return f"{name} is given by the net", []
            text = self.net.loss_text if name == LOSS else self.net.nodes[name][0]
            return f"{name} = {text}", [(n, right[("value", n)]) for n in self.uses[name]]
        if kind == "factor":
            sym = self.symbols[name, key[2]]
            return (f"∂{name}/∂{key[2]} = {to_text(sym)}",
                    [(n, right[("value", n)]) for n in dict.fromkeys(names(sym))])
        if kind == "grad":
            terms, used = [], []
            for a in self.consumers[name]:
                f = self.factor_text(a, name)
                terms.append(f"∂E/∂{a} · " + (f"({f})" if " " in f else f))
                used.append((f"∂E/∂{a}", right[("grad", a)]))
                used += [(n, right[("value", n)]) for n in dict.fromkeys(names(self.symbols[a, name]))]
            return f"∂E/∂{name} = " + " + ".join(terms), list(dict(used).items())
        return (f"{name}′ = {name} − η·∂E/∂{name}",
                [(name, right[("value", name)]), ("η", eta), (f"∂E/∂{name}", right[("grad", name)])])

    def paths(self, b: str) -> list[tuple[tuple, tuple]]:
        """Every path E → … → b: (its nodes, its factors (a, c)), at most 64 of them."""
        found = []

        def up(n, trail):
            if len(found) >= 64:
                return
            if n == LOSS:
                nodes = (LOSS,) + tuple(reversed(trail))
                found.append((nodes, tuple(zip(nodes, nodes[1:]))))
                return
            for a in self.consumers[n]:
                up(a, trail + [a] if a != LOSS else trail)

        up(b, [b])
        return found

    def activation(self, a: str) -> bool:
        """Is node ``a`` a function of one name (f(H1)), whose derivative a learner may
        write as f where f′ was due?"""
        e = self.exprs.get(a)
        return isinstance(e, Call) and len(e.args) == 1 and isinstance(e.args[0], Name)


class GraphWorld:
    """Steps of any net through its graph: a named node's value right after its forward
    op, its ∂E when the backward walk reaches it (every consumer done)."""

    factors_allowed = False

    def __init__(self, net: Net):
        self.net = net
        self.graph = net.build()
        g = self.graph
        self.named = {i: n.name for i, n in enumerate(g.nodes) if n.name is not None}
        self.leaves = [i for i, n in enumerate(g.nodes) if n.op is None and n.name is not None]
        self.layers = {layer.name: layer for layer in getattr(net, "layers", [])}

    def graph_patch(self, name, patch):
        if not patch or not self.net.hidden_axis(name):
            return patch
        return {(0,) + tuple(k): v for k, v in patch.items()}

    def run(self, patches: dict, eta: float) -> dict:
        g, computed = self.graph, {}

        def put(kind, i, value):
            name = self.named[i]
            computed[(kind, name)] = value
            return patched(value, self.graph_patch(name, patches.get((kind, name))))

        vals = g.initial_values()
        for i in self.leaves:
            vals[i] = put("value", i, vals[i])
        caches = [None] * len(vals)
        for i, fwd, ins in g.forward_plan:
            vals[i], caches[i] = fwd(*[vals[j] for j in ins])
            if i in self.named:
                out = vals[i]
                vals[i] = put("value", i, out)
                if caches[i] is out:  # a backward that reads the output (σ, tanh, softmax)
                    caches[i] = vals[i]  # reads the learner's: f(1 − f) of their f
        grads = [0.0] * len(vals)
        grads[g.loss] = np.float64(1.0)
        for i, bwd, ins in g.backward_plan:
            if i in self.named:
                grads[i] = put("grad", i, np.zeros(np.shape(vals[i])) + grads[i])
            for j, d in zip(ins, bwd(grads[i], caches[i])):
                grads[j] = grads[j] + d
        for i in self.leaves:
            grads[i] = put("grad", i, np.zeros(np.shape(vals[i])) + grads[i])
        for p in self.net.params:
            i = g.index[p]
            computed[("update", p)] = vals[i] - eta * grads[i]
        return {k: self.net.as_seen(k[1], v) if k[0] != "update" else v
                for k, v in computed.items()}

    def consumer(self, name: str):
        """The layer that takes ``name`` as its input (a layer net), or None (a param's ∂E
        comes from the layer that owns it)."""
        layers = list(self.layers.values())
        names = ["input"] + [layer.name for layer in layers]
        return layers[names.index(name)] if name in names[:-1] else None

    def formula(self, key: tuple, right: dict, eta: float, index=None) -> tuple[str, list]:
        kind, name = key[0], key[1]
        at = "" if index is None else "[" + ",".join(map(str, index)) + "]"

        def value(k):
            v = np.asarray(right[k], dtype=float)
            return float(v[index]) if index is not None and v.ndim else (v if v.ndim else float(v))

        if kind == "update":
            return (f"{name}{at}′ = {name}{at} − η·∂E/∂{name}{at}",
                    [(f"{name}{at}", value(("value", name))), ("η", eta),
                     (f"∂E/∂{name}{at}", value(("grad", name)))])
        exprs = self.net.expressions
        if kind == "value":
            if exprs is not None and name in exprs:  # equations over vectors
                text = self.net.loss_text if name == LOSS else self.net.nodes[name][0]
                return f"{name} = {text}", []
            layer = self.layers.get(name)
            if layer is not None:
                return f"{name} = {layer.text}, of the layer before", []
            return f"{name} = {'the loss, ' + self.net.loss_text if name == LOSS else 'given'}", []
        after = self.consumer(name)
        hint = f" (its breakdown: bpcli grad --wrt '{name}{at}')" if self.layers else ""
        owner = next((layer for layer in self.layers.values() if name in layer.params), None)
        if owner is not None:
            return f"∂E/∂{name} from ∂E/∂{owner.name} and the input of {owner.name}" + hint, []
        if name == LOSS:
            return "∂E/∂E = 1", []
        if after is None:
            return f"∂E/∂{name}{at} by the backward pass" + hint, []
        uses = []
        if index is not None and after.op in ("relu", "leaky_relu", "sigmoid", "tanh"):
            uses = [(f"∂E/∂{after.name}{at}", value(("grad", after.name))),
                    (f"{after.name}{at}" if after.op in ("sigmoid", "tanh") else f"{name}{at}",
                     value(("value", after.name if after.op in ("sigmoid", "tanh") else name)))]
        return f"∂E/∂{name} = ∂E/∂{after.name} passed back through {after.text}" + hint, uses
