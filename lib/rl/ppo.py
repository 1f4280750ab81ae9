"""PPO's clipped surrogate objective (Schulman et al. 2017, eq. 7).

A2C takes one gradient step per rollout: after the step the policy has changed, and the rollout
is no longer a sample of it. Proximal policy optimisation (PPO) takes several epochs of minibatch
steps on the same rollout, re-weighting each sampled action by the probability ratio between the
current policy and the one that collected it, and clips that ratio so that no step gains from
moving the policy far from the collecting one:

.. math::

    L^{\\text{CLIP}}(\\theta) = \\mathbb{E}_t\\Big[\\min\\big(r_t(\\theta)\\, \\hat A_t,\\
    \\text{clip}\\big(r_t(\\theta), 1 - \\epsilon, 1 + \\epsilon\\big)\\, \\hat A_t\\big)\\Big],
    \\qquad r_t(\\theta) =
    \\frac{\\pi_\\theta(a_t \\mid s_t)}{\\pi_{\\theta_\\text{old}}(a_t \\mid s_t)}.

The book shows the objective and does not train PPO.
"""

from __future__ import annotations

import numbers

import torch

from lib.checks import check_tensor


def ppo_clipped_objective(
    log_probs: torch.Tensor,
    old_log_probs: torch.Tensor,
    advantages: torch.Tensor,
    clip_eps: float = 0.2,
) -> torch.Tensor:
    """PPO's clipped surrogate objective ``L^CLIP``, to be maximised (its loss is minus it).

    Args:
        log_probs: ``log pi_theta(a_t | s_t)`` of the sampled actions under the current policy,
            with gradient.
        old_log_probs: The same under the policy that collected the data (a constant).
        advantages: Advantage estimates ``A_t``, e.g. from GAE (a constant).
        clip_eps: ``epsilon``, how far the ratio may leave 1 before the objective stops rewarding
            the change (0.2 in the paper).

    Returns:
        The mean over the steps, a scalar.

    Shapes:
        - log_probs, old_log_probs, advantages: ``(N,)`` (or any one shape) -> scalar
    """
    for name, x in (
        ("log_probs", log_probs),
        ("old_log_probs", old_log_probs),
        ("advantages", advantages),
    ):
        check_tensor(x, name)
    if not log_probs.shape == old_log_probs.shape == advantages.shape:
        raise ValueError(
            "log_probs, old_log_probs and advantages need one entry per sampled action, got "
            f"shapes {tuple(log_probs.shape)}, {tuple(old_log_probs.shape)} and "
            f"{tuple(advantages.shape)}."
        )
    if isinstance(clip_eps, bool) or not isinstance(clip_eps, numbers.Real) or not 0 < clip_eps < 1:
        raise ValueError(f"clip_eps must be a number in (0, 1), e.g. 0.2, got {clip_eps!r}.")
    ratio = torch.exp(log_probs - old_log_probs.detach())
    advantages = advantages.detach()
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps)
    return torch.min(ratio * advantages, clipped * advantages).mean()
