"""Which policy version is in force on a date, and creating new versions (never editing used ones)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from gendan.core.errors import PermissionDeniedError, ValidationFailed
from gendan.performance.models import Kpi, PerformancePolicy, ViolationCode

BASELINE_DATE = dt.date(2000, 1, 1)


def policy_in_force(*, on: dt.date) -> PerformancePolicy:
    policy = PerformancePolicy.objects.filter(effective_from__lte=on).order_by("-effective_from").first()
    if policy is None:
        policy, _created = PerformancePolicy.objects.get_or_create(
            effective_from=BASELINE_DATE, defaults={"note": "baseline"}
        )
    return policy


def _validate(
    *, weights: dict, deductions: dict, tiers: list, extra_min: Decimal, extra_max: Decimal
) -> None:
    errors: dict[str, list[str]] = {}
    try:
        if set(weights) - set(Kpi.values) or any(Decimal(str(w)) < 0 for w in weights.values()):
            errors["kpi_weights"] = [_("Unknown KPI or negative weight.")]
        elif sum(Decimal(str(w)) for w in weights.values()) != 100:
            errors["kpi_weights"] = [_("The weights must add up to 100.")]
    except (InvalidOperation, TypeError, ValueError):
        errors["kpi_weights"] = [_("Weights must be numbers.")]
    try:
        if set(deductions) != set(ViolationCode.values) or any(
            Decimal(str(d)) < 0 for d in deductions.values()
        ):
            errors["violation_deductions"] = [
                _("Give a non-negative deduction for each of the seven violations.")
            ]
    except (InvalidOperation, TypeError, ValueError):
        errors["violation_deductions"] = [_("Deductions must be numbers.")]
    try:
        minimums = [Decimal(str(row[0])) for row in tiers]
        amounts = [Decimal(str(row[1])) for row in tiers]
        if minimums != sorted(minimums, reverse=True) or any(a < 0 for a in amounts):
            errors["bonus_tiers"] = [_("Tiers go from the highest minimum score down, with amounts ≥ 0.")]
    except (InvalidOperation, TypeError, ValueError, IndexError):
        errors["bonus_tiers"] = [_("Each tier is [minimum score, amount].")]
    if extra_min < 0 or extra_max < extra_min:
        errors["extra_reward_max"] = [_("The extra reward range is invalid.")]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def policy_create(
    *,
    actor,
    effective_from: dt.date,
    kpi_weights: dict,
    violation_deductions: dict,
    bonus_tiers: list,
    violations_cancel_bonus: int = 3,
    extra_reward_min: Decimal = Decimal("1000"),
    extra_reward_max: Decimal = Decimal("3000"),
    complaint_penalty: Decimal = Decimal("20"),
    note: str = "",
) -> PerformancePolicy:
    """A new version from `effective_from`. Past months keep the version they were computed with."""
    if not actor.has_role("admin", "general_manager"):
        raise PermissionDeniedError(_("Only an administrator or the general manager sets the policy."))
    _validate(
        weights=kpi_weights,
        deductions=violation_deductions,
        tiers=bonus_tiers,
        extra_min=extra_reward_min,
        extra_max=extra_reward_max,
    )
    if PerformancePolicy.objects.filter(effective_from=effective_from).exists():
        raise ValidationFailed({"effective_from": [_("A version already starts on this date.")]})
    return PerformancePolicy.objects.create(
        effective_from=effective_from,
        kpi_weights=kpi_weights,
        violation_deductions=violation_deductions,
        bonus_tiers=bonus_tiers,
        violations_cancel_bonus=violations_cancel_bonus,
        extra_reward_min=extra_reward_min,
        extra_reward_max=extra_reward_max,
        complaint_penalty=complaint_penalty,
        note=note,
        created_by=actor,
    )


def bonus_for_score(*, policy: PerformancePolicy, score: Decimal) -> Decimal:
    for minimum, amount in policy.bonus_tiers:
        if score >= Decimal(str(minimum)):
            return Decimal(str(amount))
    return Decimal("0")
