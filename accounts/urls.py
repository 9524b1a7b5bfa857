from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("activation/new-link/", views.activation_link_request, name="activation_link_request"),
    path("activation/new-link/sent/", views.activation_link_sent, name="activation_link_sent"),
    path("activation/complete/", views.activation_complete, name="activation_complete"),
    path("activation/<str:token>/", views.activate, name="activate"),
    path("password/forgotten/", views.password_reset, name="password_reset"),
    path("password/forgotten/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("password/reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("password/reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/strength/", views.password_strength, name="password_strength"),
    path("compte/creer/", views.account_create, name="account_create"),
    path("compte/cree/", views.account_created, name="account_created"),
    path("mon-compte/", views.account, name="account"),
    path("mon-compte/informations/", views.account_profile, name="account_profile"),
    path("mon-compte/mot-de-passe/", views.account_password, name="account_password"),
    path("mon-compte/question-secrete/", views.account_secret_question, name="account_secret_question"),
    path("mon-compte/espaces/", views.account_workspaces, name="account_workspaces"),
    path("signup/", views.SignupIdentifyView.as_view(), name="signup"),
    path("signup/information/", views.SignupDetailsView.as_view(), name="signup_details"),
    path("signup/working-areas/", views.SignupWorkspacesView.as_view(), name="signup_workspaces"),
    path("signup/done/", views.SignupDoneView.as_view(), name="signup_done"),
]
