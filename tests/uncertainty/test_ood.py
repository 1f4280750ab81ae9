"""OOD scores and the bootstrap of the AUROC."""

import pytest
import torch
from sklearn.metrics import roc_auc_score

from lib.uncertainty.metrics import auroc, entropy
from lib.uncertainty.ood import bootstrap_auroc, max_prob_score, ood_scores


def _scores(seed=0, n_pos=300, n_neg=500, shift=1.0):
    g = torch.Generator().manual_seed(seed)
    targets = torch.cat([torch.ones(n_pos, dtype=torch.bool), torch.zeros(n_neg, dtype=torch.bool)])
    scores = torch.randn(n_pos + n_neg, generator=g, dtype=torch.float64) + shift * targets
    return scores, targets


def test_scores_are_one_minus_max_prob_and_the_entropy():
    probs = torch.softmax(torch.randn(50, 4, generator=torch.Generator().manual_seed(0)), 1)
    scores = ood_scores(probs)
    assert torch.equal(scores["max-prob"], 1 - probs.double().max(1).values)
    assert torch.equal(scores["max-prob"], max_prob_score(probs))
    assert torch.equal(scores["entropy"], entropy(probs))
    uniform = torch.full((1, 4), 0.25)
    assert max_prob_score(uniform).item() == pytest.approx(0.75)


def test_bootstrap_centres_on_the_auroc_and_its_spread_matches_the_standard_error():
    scores, targets = _scores()
    draws = bootstrap_auroc(scores, targets, num_draws=2000)
    value = auroc(scores, targets)
    assert value == pytest.approx(roc_auc_score(targets.numpy(), scores.numpy()), abs=1e-9)
    assert abs(draws.mean().item() - value) < 0.005
    # Hanley & McNeil (1982): the standard error of an AUROC
    q1, q2 = value / (2 - value), 2 * value**2 / (1 + value)
    n_pos, n_neg = 300, 500
    se = (
        (value * (1 - value) + (n_pos - 1) * (q1 - value**2) + (n_neg - 1) * (q2 - value**2))
        / (n_pos * n_neg)
    ) ** 0.5
    assert draws.std().item() == pytest.approx(se, rel=0.15)


def test_same_seed_resamples_the_same_inputs_so_differences_are_paired():
    scores, targets = _scores()
    a = bootstrap_auroc(scores, targets, num_draws=200, seed=3)
    b = bootstrap_auroc(scores.clone(), targets, num_draws=200, seed=3)
    assert torch.equal(a, b)
    # an order-preserving transform gives the same AUROC on every resample: difference 0
    c = bootstrap_auroc(scores.exp(), targets, num_draws=200, seed=3)
    assert torch.equal(a, c)
    assert not torch.equal(a, bootstrap_auroc(scores, targets, num_draws=200, seed=4))


def test_a_separable_score_has_auroc_one_on_every_resample():
    targets = torch.tensor([False] * 20 + [True] * 10)
    scores = targets.double() + 0.01 * torch.arange(30)
    assert bootstrap_auroc(scores, targets, num_draws=50).eq(1.0).all()


def test_bad_input():
    scores, targets = _scores()
    with pytest.raises(ValueError, match="num_draws"):
        bootstrap_auroc(scores, targets, num_draws=0)
    with pytest.raises(ValueError, match="both classes"):
        bootstrap_auroc(scores, torch.ones_like(targets), num_draws=10)
