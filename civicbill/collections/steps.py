"""The steps of the daily collections run, in the order they run (collections.services.run).

Each step is a ``Step`` (collections.run_context): it reads the facts of one chunk of accounts and
records its actions with ``ctx.act``; in a trial it writes nothing but its actions. The order is the
law's: a broken arrangement no longer protects the account before penalties are assessed; penalties
come before the notices that state the amount delinquent; notices before the 48-hour contact; the
shutoff list last, once every notice it depends on is on file.
"""

from __future__ import annotations

from civicbill.collections.notice_steps import notice_step
from civicbill.collections.run_context import Step
from civicbill.collections.services.arrangements import arrangement_step
from civicbill.collections.services.past_due import past_due_step
from civicbill.collections.services.penalties import penalties_step
from civicbill.collections.shutoff_steps import contact_step, eligibility_step

STEPS: tuple[Step, ...] = (
    arrangement_step,  # 0. arrangement breaches and completions (clears the protection of a broken one)
    penalties_step,  # 1. late penalty once per delinquent bill, monthly interest (area "run")
    past_due_step,  # stage current -> past due when first delinquent, and back (area "run")
    notice_step,  # 2. late notices, then final notices and their copies (area "notices")
    contact_step,  # 3. 48-hour contact attempt, else a notice posted at the premise (area "shutoff")
    eligibility_step,  # 4. the shutoff list: every condition met, with its proof (area "shutoff")
)
