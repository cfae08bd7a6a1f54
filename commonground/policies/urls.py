from django.urls import path

from commonground.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_rules, name="policy_rules"),
    path("<str:rule_id>/", views.policy_rule, name="policy_rule"),
]
