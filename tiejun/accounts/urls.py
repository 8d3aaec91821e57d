from django.urls import path

from tiejun.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    # 账户管理 (system administrator)
    path("users/", admin_views.user_list, name="user_list"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", admin_views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", admin_views.user_reset_password, name="user_reset_password"),
    # 安全管理 (security administrator)
    path("security/", admin_views.security, name="security"),
    path("security/unlock/", admin_views.security_unlock, name="security_unlock"),
    path("security/users/<int:pk>/", admin_views.security_user, name="security_user"),
    path("security/users/<int:pk>/reveal/", admin_views.security_reveal, name="security_reveal"),
    path("security/users/<int:pk>/otp/", admin_views.security_otp_reset, name="security_otp_reset"),
    # 审计日志 (audit administrator)
    path("audit/", admin_views.audit_list, name="audit_list"),
    path("audit/export.xlsx", admin_views.audit_export, name="audit_export"),
    path("audit/verify/", admin_views.audit_verify, name="audit_verify"),
]
