import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes' answer once the failure limit is reached: say when to try again."""
    retry_minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return render(request, "accounts/lockout.html", {"retry_minutes": retry_minutes}, status=429)
