"""The 三会一课合规 pages, spliced into the `life` namespace by tiejun/life/urls.py."""

from django.urls import path

from tiejun.life import compliance_views

urlpatterns = [
    path("compliance/", compliance_views.compliance_table, name="compliance"),
    path("compliance/export.xlsx", compliance_views.compliance_export, name="compliance_export"),
    path("compliance/calendar/", compliance_views.compliance_calendar, name="compliance_calendar"),
    path("compliance/summary/", compliance_views.compliance_summary, name="compliance_summary"),
]
