"""The karate club's labels: one club per member, in node order."""

import networkx as nx
import pytest
import torch

from lib.data import load_karate_club
from lib.graphs.karate import KARATE_CLUBS, karate_club_labels


def test_labels_follow_the_club_attribute_in_node_order():
    graph = load_karate_club()
    y = karate_club_labels(graph)
    assert y.shape == (34,) and y.dtype == torch.int64
    assert [KARATE_CLUBS[c] for c in y.tolist()] == [graph.nodes[i]["club"] for i in range(34)]
    assert y.bincount().tolist() == [17, 17]  # Mr. Hi 0 (the instructor), the Officer 33
    assert (y[0].item(), y[33].item()) == (0, 1)


def test_a_graph_without_clubs_is_refused():
    with pytest.raises(ValueError, match="needs a club"):
        karate_club_labels(nx.path_graph(3))
