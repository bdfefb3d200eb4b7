"""What the office reads and prints: the weekly report, the registers and forms, the export.

These modules use pandas and Jinja; the CLI imports them only inside the commands that
report, so every other command stays fast.
"""
