from django.dispatch import Signal

# Sent by the sweep inside its transaction when an obligation becomes due soon or overdue,
# with `obligation` and `stage` (Obligation.Stage). Notifications write outbox rows for it.
obligation_reminder_due = Signal()
