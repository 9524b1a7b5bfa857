from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("compte/creer/", views.account_create, name="account_create"),
    path("compte/cree/", views.account_created, name="account_created"),
    path("mon-compte/", views.account, name="account"),
    path("mon-compte/informations/", views.account_profile, name="account_profile"),
    path("mon-compte/mot-de-passe/", views.account_password, name="account_password"),
    path("mon-compte/question-secrete/", views.account_secret_question, name="account_secret_question"),
    path("mon-compte/espaces/", views.account_workspaces, name="account_workspaces"),
]
