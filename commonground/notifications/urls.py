from django.urls import path

from commonground.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notification_detail, name="detail"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("o/<slug:org>/letters/", views.letter_queue, name="letter_queue"),
    path("o/<slug:org>/letters/print/", views.letters_print, name="letters_print"),
    path("o/<slug:org>/letters/<int:pk>/print/", views.letters_print, name="letter_print"),
    path("o/<slug:org>/letters/<int:pk>/posted/", views.letter_posted, name="letter_posted"),
]
