"""A unit's role on a task, as stored in ``assignments.role``. Dependency-free: the commands
that only read or log import it without the plan loader."""

ROLE_LEAD = "lead"
ROLE_SUPPORT = "support"
# The 2nd and further lead units of a task (共同牽頭): shown and reported as lead everywhere,
# kept a distinct role so that the schema's "one lead per task" index still holds.
ROLE_COLEAD = "colead"
LEAD_ROLES = (ROLE_LEAD, ROLE_COLEAD)
