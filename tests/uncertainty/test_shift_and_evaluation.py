"""Resampling for label / subpopulation shift and the shift-suite bookkeeping."""

import pytest
import torch

from lib.uncertainty.evaluation import CLEAN, ShiftResults, evaluate_probs, pooled_shift
from lib.uncertainty.shift import load_open_set_model, resample_groups, resample_to_prior


def test_resample_to_prior_matches_prior():
    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 4, (4000,), generator=g)
    prior = torch.tensor([0.4, 0.3, 0.2, 0.1])
    idx = resample_to_prior(y, prior)
    assert len(idx.unique()) == len(idx)
    freq = torch.bincount(y[idx], minlength=4).double() / len(idx)
    assert (freq - prior.double()).abs().max() < 0.01
    # the most demanded class is used up (largest possible subset)
    assert torch.bincount(y[idx], minlength=4)[0] >= torch.bincount(y, minlength=4)[0] - 4
    with pytest.raises(ValueError, match="summing to 1"):
        resample_to_prior(y, torch.tensor([0.5, 0.5, 0.5, 0.5]))


def test_resample_groups_fractions_within_each_class():
    g = torch.Generator().manual_seed(1)
    strata = torch.randint(0, 3, (3000,), generator=g)
    groups = torch.randint(0, 2, (3000,), generator=g)
    idx = resample_groups(groups, torch.tensor([0.1, 0.9]), strata)
    for s in range(3):
        in_s = idx[strata[idx] == s]
        share = (groups[in_s] == 1).double().mean().item()
        assert abs(share - 0.9) < 0.01
    with pytest.raises(ValueError, match="sum to 1"):
        resample_groups(groups, torch.tensor([0.5, 0.6]), strata)


def test_pooled_shift_and_results():
    X = torch.rand(6, 1, 28, 28)
    y = torch.arange(6)
    Xs, ys = pooled_shift(X, y, 2, names=("contrast", "rotate"))
    assert Xs.shape == (12, 1, 28, 28) and torch.equal(ys, y.repeat(2))
    probs = torch.full((6, 10), 0.1)
    res = evaluate_probs({CLEAN: probs, ("a", 1): probs, ("b", 1): probs}, y)
    assert isinstance(res, ShiftResults)
    assert res.metrics["nll"][CLEAN] == pytest.approx(-torch.log(torch.tensor(0.1)).item())
    assert res.shifted_mean("accuracy") == pytest.approx(1 / 6)  # arg-max of a tie is class 0


def test_open_set_model_rejects_bad_classes():
    with pytest.raises(ValueError, match="held_out"):
        load_open_set_model(held_out=(10,))
