"""What the meetings module tells other modules.

`attendance_recorded(sender=Meeting, meeting=..., actor=...)` is sent inside the transaction that
records who came, once the rows are written: a module that counts absences (PSP-10) listens and
acts in the same transaction, so a failure there leaves the attendance unrecorded too.
"""

from django.dispatch import Signal

attendance_recorded = Signal()
