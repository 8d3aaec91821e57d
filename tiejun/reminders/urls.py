from django.urls import path

from tiejun.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.open_reminder, name="open"),
]
