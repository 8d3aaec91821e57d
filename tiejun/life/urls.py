from django.urls import path

from tiejun.life import views
from tiejun.life.compliance_urls import urlpatterns as compliance_urls
from tiejun.life.talk_urls import urlpatterns as talk_urls

app_name = "life"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    *compliance_urls,
    *talk_urls,
    path("meetings/ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/topics/", views.topic_registrations, name="topic_registrations"),
    path("meetings/lectures/", views.lecture_cycles, name="lecture_cycles"),
    path("meetings/sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/status/", views.meeting_status, name="meeting_status"),
    path("meetings/<int:pk>/qr/", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/minutes/", views.minutes_save, name="minutes_save"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("meetings/<int:pk>/sign-in-sheet.docx", views.sign_sheet_docx, name="sign_sheet_docx"),
    path("meetings/<int:pk>/topics/", views.topic_add, name="topic_add"),
    path(
        "meetings/<int:pk>/topics/<int:topic_pk>/decide/", views.topic_decide, name="topic_decide"
    ),
    path(
        "meetings/<int:pk>/attendance/<int:member_pk>/",
        views.attendance_mark,
        name="attendance_mark",
    ),
    path(
        "meetings/<int:pk>/attendance/<int:member_pk>/remove/",
        views.attendance_remove,
        name="attendance_remove",
    ),
    path("meetings/<int:pk>/observers/", views.observer_add, name="observer_add"),
    path("meetings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
