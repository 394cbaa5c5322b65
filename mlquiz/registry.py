"""Topic names → modules, imported only when a command needs them.

Adding a topic: write `mlquiz/topics/<name>.py` implementing the interface described in
`mlquiz/topics/__init__.py`, and add one `TopicInfo` line below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from mlquiz.errors import UserError, short


@dataclass(frozen=True)
class TopicInfo:
    name: str
    module: str
    summary: str
    data_format: str
    aliases: tuple[str, ...] = ()


TOPICS: tuple[TopicInfo, ...] = (
    TopicInfo("entropy", "mlquiz.topics.entropy",
              "Entropy, information gain, Gini and gain ratio; the attribute ID3 splits on",
              '"4,2;1,3" (rows: branches of one attribute, columns: class counts) '
              "or FILE.csv --target COLUMN", aliases=("infogain", "id3", "ig")),
    TopicInfo("backprop", "mlquiz.topics.backprop",
              "Sigmoid units and 2-layer networks: forward pass, deltas, gradients, one update",
              '--x "0.05,0.10" --target "0.01,0.99" --w1 "0.15,0.20;0.25,0.30" --w2 "…" '
              "[--b1 --b2 --lr --fixed-bias] (rows of W: the layer's neurons)", aliases=("sigmoid", "mlp", "bp")),
    TopicInfo("pca", "mlquiz.topics.pca",
              "PCA: mean, covariance (n−1), eigenvalues and unit eigenvectors, contributions, projections",
              '"2.5,2.4;0.4,0.7;2.2,2.9" or FILE.csv (rows: samples) [--k K]'),
    TopicInfo("conv", "mlquiz.topics.conv",
              "CNN layer sizes: convolution, pooling, dilation, transposed convolution, parameter counts",
              '"n=32,f=5,p=2,s=1" or "input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; deconv f=2 s=2 c=8"',
              aliases=("cnn", "convolution")),
    TopicInfo("qlearning", "mlquiz.topics.qlearning",
              "Q-learning updates: TD targets and errors, the Q-table after each step, greedy policy, DQN targets",
              '--q "0,0;0,0;0,0" --transitions "0,1,5,1; 1,0,-1,end" --alpha 0.5 --gamma 0.9 [--target-q …]',
              aliases=("q", "dqn")),
)


def _index() -> dict[str, TopicInfo]:
    index = {}
    for info in TOPICS:
        for key in (info.name, *info.aliases):
            index[key] = info
    return index


def info(name: str) -> TopicInfo:
    found = _index().get(name.strip().lower())
    if found is None:
        known = ", ".join(t.name for t in TOPICS)
        raise UserError(f"unknown topic {short(name)}; choose one of: {known} (see `mlquiz list`)")
    return found


def load(name: str) -> ModuleType:
    """The topic module for a name or alias (imported now, on first use)."""
    return importlib.import_module(info(name).module)
