"""The processes of the seed, one module per flow chart. Importing this package registers
every process's event kinds and check rules."""

import salesops.processes.calls  # noqa: F401
import salesops.processes.complaints  # noqa: F401
import salesops.processes.faq  # noqa: F401
import salesops.processes.followups  # noqa: F401
import salesops.processes.reception  # noqa: F401
import salesops.processes.rotation  # noqa: F401
import salesops.processes.subscriptions  # noqa: F401
import salesops.processes.surveys  # noqa: F401
import salesops.processes.tours  # noqa: F401
import salesops.processes.units  # noqa: F401
import salesops.processes.visits  # noqa: F401
from salesops.processes import customers, setup, staff  # noqa: F401
