"""The collections context's tables, one module per area (see docs/collections.md).

policy: the effective-dated collections policy (the rules as data);
stages: each account's collection stage and its history;
programs: payment arrangements, appeals and bill reviews, certifications (low-income, medical),
third-party notice contacts, emergency moratoriums;
runs: the daily collections run and every action it took or proposed;
contacts: 48-hour contact attempts and notices posted before a shutoff;
shutoffs: scheduled shutoffs with their proof and field result, and reconnections with fee and deposit.
"""

from civicbill.collections.models.contacts import ContactAttempt, ContactChannel, ContactOutcome
from civicbill.collections.models.policy import CollectionsPolicyVersion
from civicbill.collections.models.programs import (
    Appeal,
    AppealStatus,
    Arrangement,
    ArrangementInstallment,
    ArrangementKind,
    ArrangementStatus,
    Certification,
    CertificationKind,
    IncomeProgram,
    Moratorium,
    MoratoriumScope,
    ThirdPartyContact,
)
from civicbill.collections.models.runs import ActionStep, CollectionAction, CollectionRun
from civicbill.collections.models.shutoffs import Reconnection, Shutoff, ShutoffResult
from civicbill.collections.models.stages import CollectionStage, StageEvent

__all__ = [
    "ActionStep",
    "Appeal",
    "AppealStatus",
    "Arrangement",
    "ArrangementInstallment",
    "ArrangementKind",
    "ArrangementStatus",
    "Certification",
    "CertificationKind",
    "CollectionAction",
    "CollectionRun",
    "CollectionStage",
    "CollectionsPolicyVersion",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "IncomeProgram",
    "Moratorium",
    "MoratoriumScope",
    "Reconnection",
    "Shutoff",
    "ShutoffResult",
    "StageEvent",
    "ThirdPartyContact",
]
