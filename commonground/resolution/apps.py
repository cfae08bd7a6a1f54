from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "commonground.resolution"
    label = "resolution"

    def ready(self) -> None:
        from commonground.agreements.supporters import register_subject
        from commonground.casework.selectors_core import current_supporter_ids

        def supporters(organisation_id: int, crm_id: str) -> set[int]:
            from commonground.resolution.models import CommunityResolutionMeeting

            case_id = (
                CommunityResolutionMeeting.objects.filter(
                    organisation_id=organisation_id, pk=crm_id
                )
                .values_list("case_id", flat=True)
                .first()
            )
            return current_supporter_ids(case_id) if case_id is not None else set()

        # ASH-15: the case's supporters see and support its Action Plans.
        register_subject("resolution.communityresolutionmeeting", supporters=supporters)
