from django.urls import path

from workspaces import views

urlpatterns = [
    path("espaces/<slug:code>/", views.workspace_detail, name="workspace"),
]
