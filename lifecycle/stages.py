"""The stage machine: where a lead stands in the funnel, and the only ways it may move.

Forward moves need their proof (fit and score or a hand-raise for MQL, the rep's acceptance for
SAL, every evidence item for SQL). Backward moves exist only as a rep's rejection with a reason
from the policy. Opportunity and customer belong to the CRM and are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handoff.config.policy import Policy
from handoff.config.vocabulary import CRM_OWNED_STAGES, Stage
from handoff.lifecycle.behavior import BehaviorScore
from handoff.lifecycle.decision import STAGE_LABELS, Reason, StageMove
from handoff.lifecycle.records import Contact


@dataclass(slots=True)
class StageOutcome:
    stage: Stage
    moves: list[StageMove] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clears_rejection: bool = False

    def move(self, to_stage: Stage, rule: str, signal: str, detail: str) -> None:
        reason = Reason(rule=rule, signal=signal, detail=detail)
        self.moves.append(StageMove(self.stage, to_stage, reason))
        self.reasons.append(reason)
        self.stage = to_stage

    def note(self, rule: str, signal: str, detail: str) -> None:
        self.reasons.append(Reason(rule=rule, signal=signal, detail=detail))


def decide_stage(
    contact: Contact, fit: int, behavior: BehaviorScore, policy: Policy, now: datetime
) -> StageOutcome:
    current = contact.stage
    outcome = StageOutcome(current or Stage.LEAD)
    if current is None:
        outcome.stage = Stage.LEAD
        outcome.moves.append(
            StageMove(None, Stage.LEAD, Reason("stages.lead", "new contact", signal="created"))
        )
    if outcome.stage in CRM_OWNED_STAGES:
        label = STAGE_LABELS[outcome.stage]
        outcome.note("stages.crm", "crm", f"{label}: owned by the CRM (deal stage), never moved by handoff")
        return outcome
    if outcome.stage is Stage.DISQUALIFIED:
        _note_disqualified(policy, contact.disqualification_reason, outcome)
        return outcome
    if outcome.stage is Stage.RECYCLED:
        _recycled(contact, fit, behavior, policy, now=now, outcome=outcome)
        return outcome
    rejected = contact.rejected or contact.disqualification_reason
    if rejected and _rejection(contact, policy, now, outcome):
        return outcome
    _advance(contact, fit, behavior, policy, outcome)
    return outcome


# Every evaluation ends with a note on where the lead stands, worded the same whether it moved
# just now or long ago: the CRM's one-line reason is built from it, and a reason that changed
# between a move and the next look would be rewritten for nothing.


def _note_waiting_for_acceptance(outcome: StageOutcome) -> None:
    outcome.note("stages.sal", "not_yet", "waiting for the assigned rep to accept the MQL")


def _note_sql(outcome: StageOutcome) -> None:
    outcome.note("stages.sql", "qualified", "sales-qualified: the next step is an opportunity in the CRM")


def _note_disqualified(policy: Policy, code: str | None, outcome: StageOutcome) -> None:
    why = _reason_label(policy, code)
    outcome.note(
        "stages.disqualified",
        "rejection",
        f"disqualified ({why}); re-open it by changing the stage in the CRM",
    )


def _cooldown(policy: Policy, code: str | None) -> float:
    if code is not None and code in policy.disqualification.reasons:
        return policy.disqualification.cooldown_days(code)
    return policy.disqualification.recycle_cooldown_days


def _rejection(contact: Contact, policy: Policy, now: datetime, outcome: StageOutcome) -> bool:
    """Apply a rep's rejection if it names a policy reason; refuse and report it otherwise."""
    reasons = policy.disqualification.reasons
    code = contact.disqualification_reason
    if code is None or code not in reasons:
        given = f"{code!r} is not a reason in the policy" if code else "no reason was given"
        valid = ", ".join(reasons)
        problem = f"Rejection refused: {given}. Pick one of: {valid}."
        outcome.problems.append(problem)
        outcome.note("disqualification.reasons", "rejection_refused", problem)
        return False
    label = policy.disqualification.label(code)
    if reasons[code].outcome == "recycle":
        days = _cooldown(policy, code)
        detail = f"rejected by the rep: {label}; back to nurture, may re-qualify after {days:g} days"
        outcome.move(Stage.RECYCLED, f"disqualification.reasons.{code}", "rejection", detail)
        until = now + timedelta(days=days)
        outcome.note("stages.recycled", "cooldown", f"recycled ({label}) until {until:%Y-%m-%d}")
    else:
        outcome.move(
            Stage.DISQUALIFIED,
            f"disqualification.reasons.{code}",
            "rejection",
            f"rejected by the rep: {label}",
        )
        _note_disqualified(policy, code, outcome)
    return True


def _recycled(
    contact: Contact,
    fit: int,
    behavior: BehaviorScore,
    policy: Policy,
    *,
    now: datetime,
    outcome: StageOutcome,
) -> None:
    code = contact.disqualification_reason
    days = _cooldown(policy, code)
    entered = contact.stage_entered_at or now
    until = entered + timedelta(days=days)
    why = _reason_label(policy, code)
    if now < until:
        outcome.note("stages.recycled", "cooldown", f"recycled ({why}) until {until:%Y-%m-%d}")
        return
    qualified, _, detail = _mql_test(fit, behavior, policy, since=entered)
    if qualified:
        outcome.move(
            Stage.MQL, "stages.mql", "requalified", f"re-qualified after the recycle cooldown: {detail}"
        )
        outcome.clears_rejection = True
        _note_waiting_for_acceptance(outcome)
    else:
        outcome.note(
            "stages.recycled", "cooldown_over", f"recycled ({why}); cooldown over, not an MQL again: {detail}"
        )


def _advance(
    contact: Contact, fit: int, behavior: BehaviorScore, policy: Policy, outcome: StageOutcome
) -> None:
    if outcome.stage in (Stage.SUBSCRIBER, Stage.LEAD):
        qualified, signal, detail = _mql_test(fit, behavior, policy, since=None)
        if not qualified:
            outcome.note("stages.mql", "not_yet", f"not an MQL yet: {detail}")
            return
        # A lead a rep already works (imported, or accepted while below the bar) goes on to SAL at
        # once; otherwise the next look would move it, and the CRM would be written twice.
        outcome.move(Stage.MQL, "stages.mql", signal, detail)
    if outcome.stage is Stage.MQL:
        if not contact.accepted:
            _note_waiting_for_acceptance(outcome)
            return
        status = f" (lead status {contact.lead_status})" if contact.lead_status else ""
        outcome.move(Stage.SAL, "stages.sal", "acceptance", f"accepted by the rep{status}")
    if outcome.stage is Stage.SAL:
        _sql_test(contact, policy, outcome)
    if outcome.stage is Stage.SQL:
        _note_sql(outcome)


def _mql_test(
    fit: int, behavior: BehaviorScore, policy: Policy, since: datetime | None
) -> tuple[bool, str, str]:
    """Whether the lead is an MQL, the signal that decided, and the sentence that says why (not)."""
    mql = policy.stages.mql
    score = fit + behavior.total
    if fit < mql.fit_minimum:
        return False, "fit", f"fit {fit} is below the fit minimum {mql.fit_minimum}"
    hand_raise = behavior.high_intent_at
    if mql.or_high_intent and hand_raise is not None and (since is None or hand_raise > since):
        return (
            True,
            "high_intent",
            f"fit {fit} ≥ {mql.fit_minimum} and high-intent action: {behavior.high_intent_rule}",
        )
    if score >= mql.score_minimum:
        return True, "score", f"fit {fit} ≥ {mql.fit_minimum} and score {score} ≥ {mql.score_minimum}"
    missing = f"score {score} < {mql.score_minimum}"
    if mql.or_high_intent:
        fresh = " since the recycle" if since is not None else ""
        missing += f" and no high-intent action{fresh}"
    return False, "score", missing


def _sql_test(contact: Contact, policy: Policy, outcome: StageOutcome) -> None:
    sql = policy.stages.sql
    placeholders = {value.casefold() for value in sql.not_evidence}
    missing: list[str] = []
    for item in sql.requires:
        value = (contact.evidence.get(item) or "").strip()
        if not value or value.casefold() in placeholders:
            missing.append(item if not value else f"{item} ({value!r} is not evidence)")
    if missing:
        done = len(sql.requires) - len(missing)
        detail = f"not SQL yet: {done} of {len(sql.requires)} documented; missing {', '.join(missing)}"
        outcome.note("stages.sql", "evidence_missing", detail)
        return
    outcome.move(Stage.SQL, "stages.sql", "evidence", f"all evidence documented: {', '.join(sql.requires)}")


def _reason_label(policy: Policy, code: str | None) -> str:
    if code and code in policy.disqualification.reasons:
        return policy.disqualification.label(code)
    return code or "no reason recorded"
