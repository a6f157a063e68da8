"""The demo sign-in accounts: their password, which users they are, and how they reach the next organization."""

from __future__ import annotations

import dataclasses

import numpy as np

DEMO_PASSWORD = "prometric-demo"

# The demo accounts (user index → users.role) of a run's first organization, and how each also belongs to
# the second one, with another reach: the employee (own payslips at home) manages every workspace there,
# the owner is admin of the head office only, the manager a member of a branch, the investor reads there too.
DEMO_ACCOUNTS = {0: "owner", 1: "manager", 5: "employee", -1: "investor"}  # -1: the investor, the last user
GUEST_MEMBERSHIPS = {
    "owner": ("admin", "head office"),
    "manager": ("member", "first branch"),
    "employee": ("manager", "all"),
    "investor": ("member", "head office"),
}


@dataclasses.dataclass(frozen=True)
class Guest:
    """A user of an earlier organization of the run who is also a member of this one."""

    user_id: bytes
    created: np.datetime64  # local time the user was created
    membership: str  # workspace_users.role in this organization: admin, manager, member
    workspaces: str  # "head office", "first branch" or "all"
