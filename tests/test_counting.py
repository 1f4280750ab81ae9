"""lib.counting: multiply-adds counted by hand for layers whose cost is known in closed form."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lib.counting import multiply_adds, multiply_adds_of


def test_a_linear_layer_costs_inputs_times_outputs_per_example():
    assert multiply_adds(nn.Linear(10, 5), torch.zeros(3, 10)) == 3 * 10 * 5


def test_a_convolution_costs_kernel_times_channels_per_output_pixel():
    conv = nn.Conv2d(2, 4, kernel_size=3, padding=1)
    # every one of the 4 x 6 x 6 outputs sums 2 x 3 x 3 products
    assert multiply_adds(conv, torch.zeros(1, 2, 6, 6)) == 4 * 6 * 6 * 2 * 3 * 3


def test_element_wise_layers_cost_nothing_and_the_mode_is_restored():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 2))
    model.train()
    assert multiply_adds(model, torch.zeros(1, 4)) == 4 * 8 + 8 * 2
    assert model.training


def test_a_non_tensor_example_is_refused_with_what_to_pass():
    with pytest.raises(TypeError, match=r"pass e\.g\. X\[:1\]"):
        multiply_adds(nn.Linear(2, 2), [[0.0, 0.0]])


def test_any_computation_is_counted_pass_by_pass():
    layer = nn.Linear(3, 2)
    assert multiply_adds_of(lambda: [layer(torch.zeros(1, 3)) for _ in range(7)]) == 7 * 3 * 2
