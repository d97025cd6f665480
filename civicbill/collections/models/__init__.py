"""The collections context's tables, one module per area (see docs/collections.md).

policy: the effective-dated collections policy (the rules as data);
stages: each account's collection stage and its history;
programs: payment arrangements, appeals and bill reviews, certifications (low-income, medical),
third-party notice contacts, emergency moratoriums;
runs: the daily collections run and every action it took or proposed;
notices: the late and final notices and their copies (occupant, third party, tenants, posted);
penalties: late penalties and monthly interest assessed by the run (and low-income interest waived).
writeoffs: balance transfers of closed accounts, write-off batches and recoveries;
contacts: 48-hour contact attempts and notices posted before a shutoff;
shutoffs: scheduled shutoffs with their proof and field result, and reconnections with fee and deposit.
"""

from civicbill.collections.models.contacts import ContactAttempt, ContactChannel, ContactOutcome
from civicbill.collections.models.notices import FINAL_KINDS, CollectionNotice, NoticeKind
from civicbill.collections.models.penalties import PenaltyAssessment, PenaltyKind
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
from civicbill.collections.models.writeoffs import BalanceTransfer, WriteOff, WriteOffBatch, WriteOffRecovery

__all__ = [
    "FINAL_KINDS",
    "ActionStep",
    "Appeal",
    "AppealStatus",
    "Arrangement",
    "ArrangementInstallment",
    "ArrangementKind",
    "ArrangementStatus",
    "BalanceTransfer",
    "Certification",
    "CertificationKind",
    "CollectionAction",
    "CollectionNotice",
    "CollectionRun",
    "CollectionStage",
    "CollectionsPolicyVersion",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "IncomeProgram",
    "Moratorium",
    "MoratoriumScope",
    "NoticeKind",
    "PenaltyAssessment",
    "PenaltyKind",
    "Reconnection",
    "Shutoff",
    "ShutoffResult",
    "StageEvent",
    "ThirdPartyContact",
    "WriteOff",
    "WriteOffBatch",
    "WriteOffRecovery",
]
