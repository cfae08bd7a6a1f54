from ninja import NinjaAPI

api = NinjaAPI(title="Common Ground API", version="1", urls_namespace="api", docs_url=None)
