from django.dispatch import Signal

# Sent inside the transaction that changed a rule's number for an organisation, with
# organisation, rule_id and param, so that open obligations depending on it recompute.
policy_value_changed = Signal()
