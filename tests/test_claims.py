"""lib.claims: the table of a page's claims, and the failure that names the claim and the gap."""

from __future__ import annotations

import pytest

from lib.claims import TITLE, ClaimNotHeld, Claims


def test_every_claim_is_a_row_with_its_value_bound_and_verdict(capsys):
    claims = Claims()
    assert claims.that("ensemble NLL minus single NLL", -0.0312, below=0.0, fmt=".3f")
    assert claims.that("classes drawn", 9, at_least=9)
    assert claims.that("ours equals PyTorch's", True)
    claims.check()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == TITLE
    assert lines[1].split() == ["claim", "value", "required", "holds"]
    assert lines[2].split() == [
        "ensemble",
        "NLL",
        "minus",
        "single",
        "NLL",
        "-0.031",
        "<",
        "0.000",
        "yes",
    ]
    assert lines[3].split()[-3:] == [">=", "9", "yes"]
    assert lines[4].split()[-3:] == ["true", "true", "yes"]


def test_a_failed_claim_is_shown_then_named_with_its_gap(capsys):
    claims = Claims()
    claims.that("accuracy", 0.91, above=0.5, below=0.9, fmt=".2f")
    claims.that("steps", 500, equals=500)
    assert not claims.that("converged", False)
    with pytest.raises(ClaimNotHeld) as failure:
        claims.check()
    message = str(failure.value)
    assert "2 of 3 claims" in message
    assert "- accuracy: 0.91 is not < 0.90 (off by 0.01)" in message
    assert "- converged: it is false on this run" in message
    assert "steps" not in message
    assert capsys.readouterr().out.splitlines()[2].endswith("no")  # the table came first


def test_nan_never_holds():
    claims = Claims()
    assert not claims.that("loss", float("nan"), below=1.0)
    with pytest.raises(ClaimNotHeld, match="NaN"):
        claims.check()


@pytest.mark.parametrize(
    ("value", "bounds", "error", "match"),
    [
        (0.5, {}, ValueError, "say what the value must satisfy"),
        (True, {"above": 0}, TypeError, "takes no bound"),
        ([0.5], {"above": 0}, TypeError, r"tensor\.item\(\)"),
    ],
)
def test_malformed_claims_are_refused_with_what_to_pass(value, bounds, error, match):
    with pytest.raises(error, match=match):
        Claims().that("x", value, **bounds)


def test_checking_no_claims_is_an_error():
    with pytest.raises(ValueError, match=r"claims\.that"):
        Claims().check()
