"""The from-scratch metrics agree with torchmetrics / scikit-learn and reject bad input."""

import warnings

import numpy as np
import pytest
import torch
from scipy.optimize import minimize, minimize_scalar
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score
from torchmetrics.functional.classification import (
    binary_auroc,
    binary_average_precision,
)

from lib.calibration import expected_calibration_error
from lib.uncertainty import metrics as M
from lib.uncertainty.decisions import bayes_decisions, binary_decision_regions, expected_cost
from lib.uncertainty.label_shift import correct_label_shift, estimate_target_prior
from lib.uncertainty.temperature import fit_temperature


def random_probs(n=2000, c=10, seed=0, sharpness=3.0):
    g = torch.Generator().manual_seed(seed)
    logits = sharpness * torch.randn(n, c, generator=g)
    labels = torch.randint(0, c, (n,), generator=g)
    return torch.softmax(logits, dim=1), labels, logits


@pytest.mark.parametrize("seed", [0, 1])
def test_nll_and_brier_match_sklearn(seed):
    probs, labels, logits = random_probs(seed=seed, sharpness=1.0)
    assert (
        abs(
            M.nll(probs, labels)
            - log_loss(
                labels.numpy(),
                (probs.double() / probs.double().sum(1, keepdim=True)).numpy(),
                labels=list(range(10)),
            )
        )
        < 1e-6
    )
    assert (
        abs(
            M.nll(probs, labels) - torch.nn.functional.cross_entropy(logits.double(), labels).item()
        )
        < 1e-6
    )
    onehot = np.eye(10)[labels.numpy()]
    ref = ((probs.double().numpy() - onehot) ** 2).sum(1).mean()
    assert abs(M.brier_score(probs, labels) - ref) < 1e-9
    # binary case against sklearn's brier_score_loss (which scores one column: ours is twice it)
    p1 = probs[:, :2] / probs[:, :2].sum(1, keepdim=True)
    y1 = (labels % 2).long()
    assert (
        abs(M.brier_score(p1, y1) - 2 * brier_score_loss(y1.numpy(), p1[:, 1].double().numpy()))
        < 1e-6
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auroc_aupr_match_sklearn_and_torchmetrics(seed):
    g = torch.Generator().manual_seed(seed)
    targets = torch.rand(3000, generator=g) < 0.3
    scores = torch.randn(3000, generator=g) + targets.float()
    scores[:200] = torch.round(scores[:200])  # some ties
    ours_roc, ours_pr = M.auroc(scores, targets), M.aupr(scores, targets)
    assert abs(ours_roc - roc_auc_score(targets.numpy(), scores.numpy())) < 1e-6
    assert abs(ours_pr - average_precision_score(targets.numpy(), scores.numpy())) < 1e-6
    assert abs(ours_roc - binary_auroc(scores, targets.long()).item()) < 1e-6
    assert abs(ours_pr - binary_average_precision(scores, targets.long()).item()) < 1e-6


def test_auroc_extremes():
    targets = torch.tensor([0, 0, 1, 1])
    assert M.auroc(torch.tensor([0.1, 0.2, 0.8, 0.9]), targets) == 1.0
    assert M.auroc(torch.tensor([0.9, 0.8, 0.2, 0.1]), targets) == 0.0
    assert M.auroc(torch.ones(4), targets) == 0.5


def test_entropy_and_mutual_information():
    probs, _, _ = random_probs(n=50, c=4)
    h = M.entropy(probs)
    assert (h >= 0).all() and (h <= np.log(4) + 1e-12).all()
    assert M.entropy(torch.full((1, 4), 0.25)).item() == pytest.approx(np.log(4))
    assert M.entropy(torch.eye(4)).abs().max() < 1e-12
    # identical members: no epistemic part
    same = probs.unsqueeze(0).repeat(5, 1, 1)
    assert M.mutual_information(same).abs().max() < 1e-12
    # confident members that disagree: all of the entropy is epistemic
    members = torch.eye(4).unsqueeze(1)  # (4, 1, 4)
    total, aleatoric, epistemic = M.entropy_split(members)
    assert total.item() == pytest.approx(np.log(4)) and aleatoric.item() == pytest.approx(0.0)
    assert epistemic.item() == pytest.approx(np.log(4))


def test_temperature_minimises_nll():
    probs, labels, logits = random_probs(n=3000, sharpness=4.0, seed=5)
    labels = torch.where(
        torch.rand(3000, generator=torch.Generator().manual_seed(1)) < 0.5, logits.argmax(1), labels
    )
    t = fit_temperature(logits, labels)
    nll_at = lambda temp: M.nll(torch.softmax(logits.double() / temp, 1), labels)  # noqa: E731
    ref = minimize_scalar(nll_at, bounds=(0.05, 20), method="bounded", options={"xatol": 1e-8})
    assert abs(t - ref.x) < 1e-4
    assert nll_at(t) <= nll_at(1.0)


def test_risk_coverage():
    conf = torch.tensor([0.9, 0.8, 0.7, 0.6])
    correct = torch.tensor([True, True, False, True])
    cov, acc = M.risk_coverage(conf, correct)
    assert torch.allclose(cov, torch.tensor([0.25, 0.5, 0.75, 1.0], dtype=torch.float64))
    assert torch.allclose(acc, torch.tensor([1.0, 1.0, 2 / 3, 0.75], dtype=torch.float64))
    assert M.accuracy_at_coverage(conf, correct, 0.5) == 1.0


def test_bayes_decisions_on_the_slide_cost_table():
    # rows: predict healthy, predict diseased, abstain; columns: truly healthy, truly diseased
    cost = torch.tensor([[0.0, 10.0], [1.0, 0.0], [0.5, 0.5]])
    regions = binary_decision_regions(cost)
    assert [r[2] for r in regions] == [0, 2, 1]
    assert regions[0][1] == pytest.approx(0.05) and regions[1][1] == pytest.approx(0.5)
    p = torch.tensor([0.01, 0.2, 0.9])
    probs = torch.stack([1 - p, p], 1)
    assert bayes_decisions(probs, cost).tolist() == [0, 2, 1]
    assert expected_cost(torch.tensor([0, 2, 1]), torch.tensor([1, 0, 1]), cost) == pytest.approx(
        10.5 / 3
    )


def test_label_shift_correction_and_em():
    g = torch.Generator().manual_seed(0)
    n, c = 6000, 3
    source = torch.full((c,), 1 / c, dtype=torch.float64)
    target = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)
    # data from the target prior, scored by the Bayes posterior under the source prior
    y = torch.multinomial(target, n, replacement=True, generator=g)
    x = torch.randn(n, generator=g) + y.double() * 1.5
    lik = torch.exp(-0.5 * (x[:, None] - 1.5 * torch.arange(c)) ** 2)
    probs = lik / lik.sum(1, keepdim=True)
    est = estimate_target_prior(probs, source)
    assert (est - target).abs().max() < 0.04
    corrected = correct_label_shift(probs, source, target)
    assert M.nll(corrected, y) < M.nll(probs, y)


def _overlapping_classes(n: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """Posteriors (uniform source prior) of three unit Gaussians 0.6 apart, drawn with the
    target prior (0.7, 0.1, 0.2); and the source prior."""
    rng = np.random.default_rng(0)
    means = np.array([0.0, 0.6, 1.2])
    y = rng.choice(3, size=n, p=[0.7, 0.1, 0.2])
    lik = np.exp(-0.5 * (rng.normal(means[y], 1.0)[:, None] - means) ** 2)
    return lik / lik.sum(axis=1, keepdims=True), np.full(3, 1 / 3)


def test_label_shift_em_reaches_the_maximum_likelihood_prior_of_overlapping_classes():
    probs, source = _overlapping_classes()

    def neg_log_likelihood(z: np.ndarray) -> float:  # the prior as a softmax of z
        q = np.exp(z - z.max())
        return -np.log(probs @ (q / q.sum() / source)).mean()

    z = minimize(neg_log_likelihood, np.zeros(3), method="BFGS", options={"gtol": 1e-12}).x
    ml_prior = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converges without a warning
        est = estimate_target_prior(probs, source).numpy()
    assert np.abs(est - ml_prior).max() < 1e-6, (est, ml_prior)  # 200 steps: 0.022 away


def test_label_shift_em_warns_when_it_stops_before_converging():
    probs, source = _overlapping_classes()
    with pytest.warns(RuntimeWarning, match=r"did not converge in num_iterations=200 steps"):
        estimate_target_prior(probs, source, num_iterations=200)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: expected_calibration_error(torch.randn(5, 3), torch.zeros(5, dtype=torch.long)),
            "softmax",
        ),
        (lambda: M.nll(torch.full((5, 3), 0.5), torch.zeros(5, dtype=torch.long)), "sum to 1"),
        (lambda: M.nll(torch.full((5, 3), 1 / 3), torch.full((5,), 3)), r"0\.\.2"),
        (
            lambda: M.brier_score(torch.full((5, 3), 1 / 3), torch.zeros(4, dtype=torch.long)),
            r"shape \(5,\)",
        ),
        (lambda: M.nll(torch.full((5, 3), 1 / 3), torch.zeros(5)), "integer"),
        (lambda: M.entropy(torch.full((5,), 0.2)), r"\(N, C\)"),
        (lambda: M.auroc(torch.randn(4), torch.ones(4, dtype=torch.long)), "both classes"),
        (lambda: M.auroc(torch.randn(4), torch.ones(5)), "same length"),
        (lambda: M.mutual_information(torch.full((5, 3), 1 / 3)), r"\(M, N, C\)"),
        (
            lambda: bayes_decisions(torch.full((5, 2), 0.5), torch.ones(3, 3)),
            "one row per action",
        ),
        (
            lambda: fit_temperature(
                torch.randn(5, 3), torch.zeros(5, dtype=torch.long), bounds=(2, 1)
            ),
            "bounds",
        ),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_input_accepted():
    probs, labels, _ = random_probs(n=100)
    assert M.nll(probs.numpy(), labels.numpy()) == pytest.approx(M.nll(probs, labels))


def test_mutual_information_is_zero_not_negative_when_members_agree():
    probs = torch.softmax(torch.randn(1, 50, 10, generator=torch.Generator().manual_seed(0)), -1)
    members = probs.repeat(5, 1, 1)
    total, aleatoric, _ = M.entropy_split(members)
    assert ((total - aleatoric) < 0).any()  # the rounding this test is about happens here
    mi = M.mutual_information(members)
    assert (mi >= 0).all() and mi.max() < 1e-6
