"""The processes of the seed, one module per flow chart. Importing this package registers
every process's event kinds and check rules."""

from salesops.processes import customers, setup, staff  # noqa: F401
