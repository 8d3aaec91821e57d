from django.urls import path

from tiejun.org import views, views_import

app_name = "org"
urlpatterns = [
    path("org/", views.tree, name="tree"),
    path("org/new/", views.org_create, name="org_create"),
    path("org/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("org/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("org/<int:pk>/committee/new/", views.committee_create, name="committee_create"),
    path("org/<int:pk>/seats/new/", views.seat_create, name="seat_create"),
    path("org/<int:pk>/seats/<int:seat_pk>/delete/", views.seat_delete, name="seat_delete"),
    path("members/", views.member_list, name="member_list"),
    path("members/export.xlsx", views.member_export, name="member_export"),
    path("members/import/", views_import.import_start, name="import"),
    path("members/import/template.xlsx", views_import.import_template, name="import_template"),
    path("members/import/<str:token>/", views_import.import_preview, name="import_preview"),
    path("members/import/<str:token>/confirm/", views_import.import_confirm, name="import_confirm"),
    path(
        "members/import/<str:token>/errors.xlsx", views_import.import_errors, name="import_errors"
    ),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/reveal/", views.member_reveal, name="member_reveal"),
    path("members/<int:pk>/dual-life/new/", views.dual_life_create, name="dual_life_create"),
    path(
        "members/<int:pk>/dual-life/<int:dual_pk>/end/", views.dual_life_end, name="dual_life_end"
    ),
]
