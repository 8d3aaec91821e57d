from django.urls import path

from tiejun.life import talk_views

urlpatterns = [
    path("talks/", talk_views.talk_list, name="talk_list"),
    path("talks/export.xlsx", talk_views.talk_export, name="talk_export"),
    path("talks/new/", talk_views.talk_create, name="talk_create"),
    path("talks/must-talk/", talk_views.life_events, name="life_events"),
    path("talks/baseline/", talk_views.talk_baseline, name="talk_baseline"),
    path("talks/<int:pk>/", talk_views.talk_detail, name="talk_detail"),
]
