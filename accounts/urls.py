from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignupIdentifyView.as_view(), name="signup"),
    path("signup/information/", views.SignupDetailsView.as_view(), name="signup_details"),
    path("signup/working-areas/", views.SignupWorkspacesView.as_view(), name="signup_workspaces"),
    path("signup/done/", views.SignupDoneView.as_view(), name="signup_done"),
]
