"""Zachary's karate club as a node-classification task: which club each member joined."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    import networkx as nx

KARATE_CLUBS = ("Mr. Hi", "Officer")
"""The two clubs the karate club split into; class ``c`` is ``KARATE_CLUBS[c]``."""


def karate_club_labels(graph: nx.Graph) -> torch.Tensor:
    """The club of every member, in node order: 0 for Mr. Hi's, 1 for the Officer's.

    Args:
        graph: :func:`lib.data.load_karate_club` (nodes ``0..N-1`` with a ``club`` attribute).

    Shapes:
        ``(N,)`` int64.
    """
    clubs = [graph.nodes[i].get("club") for i in range(graph.number_of_nodes())]
    unknown = sorted({str(c) for c in clubs} - set(KARATE_CLUBS))
    if unknown:
        raise ValueError(
            f"every node needs a club in {KARATE_CLUBS}, got {unknown}; pass load_karate_club()."
        )
    return torch.tensor([KARATE_CLUBS.index(c) for c in clubs])
