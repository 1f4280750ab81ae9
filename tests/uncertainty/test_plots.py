"""Figures of the uncertainty chapter: labelled, readable, nothing hidden."""

import matplotlib

matplotlib.use("Agg")

from matplotlib.colors import to_hex  # noqa: E402

from lib.plotting import PALETTE  # noqa: E402
from lib.uncertainty.plots import quality_vs_cost  # noqa: E402


def test_quality_vs_cost_keeps_coinciding_points_visible_and_ticks_readable():
    points = {f"method {i}": (0.1 * (1 + i % 3), 1.0) for i in range(6)}  # several on the same spot
    points["same as method 0"] = points["method 0"]
    fig = quality_vs_cost(points, xlabel="time (s, log scale)", ylabel="NLL (nats per image)")
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time (s, log scale)", "NLL (nats per image)")
    collections = ax.collections
    assert len(collections) == len(points)
    assert len({c.get_paths()[0].vertices.tobytes() for c in collections}) == len(
        points
    )  # one shape each
    sizes = [c.get_sizes()[0] for c in collections]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(
        sizes
    )  # later ones nest inside
    assert all(
        len(c.get_facecolor()) == 0 or c.get_facecolor()[0][3] == 0 for c in collections
    )  # hollow
    assert PALETTE[6] not in {
        to_hex(c.get_edgecolor()[0]) for c in collections
    }  # no low-contrast yellow
    fig.canvas.draw()
    assert not [t.get_text() for t in ax.xaxis.get_minorticklabels() if t.get_text()]
