import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import (
    AccountCreateForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SecretQuestionForm,
    WorkspacesForm,
)
from accounts.services import (
    user_account_create,
    user_password_change,
    user_profile_update,
    user_secret_question_change,
    user_workspaces_set,
)
from structures.selectors import user_closed_requests, user_memberships, user_pending_requests
from workspaces.selectors import user_open_workspace_codes, workspaces_available


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


# --- "Mon Compte" ------------------------------------------------------------------------------------------------


def _account_page(
    request, *, profile_form=None, password_form=None, secret_form=None, workspaces_form=None, status=200
):
    user = request.user
    workspaces = list(workspaces_available())
    return render(
        request,
        "accounts/account.html",
        {
            "profile_form": profile_form
            or ProfileForm(
                initial={
                    "contact_email": user.contact_email,
                    "last_name": user.last_name,
                    "first_name": user.first_name,
                    "phone": user.phone,
                }
            ),
            "password_form": password_form or PasswordChangeForm(user=user),
            "secret_form": secret_form or SecretQuestionForm(user=user),
            "workspaces_form": workspaces_form
            or WorkspacesForm(
                workspaces=workspaces,
                initial={"workspaces": sorted(user_open_workspace_codes(user=user))},
            ),
            "memberships": list(user_memberships(user=user)),
            "pending_requests": list(user_pending_requests(user=user)),
            "closed_requests": list(user_closed_requests(user=user)),
        },
        status=status,
    )


@login_required
@require_GET
def account(request):
    """ "Mon Compte": personal information, password, workspaces and "Mes rattachements aux structures"."""
    return _account_page(request)


@login_required
@require_POST
def account_profile(request):
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _account_page(request, profile_form=form, status=400)
    user_profile_update(user=request.user, **form.cleaned_data)
    messages.success(request, _("Your personal information has been saved."))
    return redirect("account")


@login_required
@require_POST
def account_password(request):
    form = PasswordChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, password_form=form, status=400)
    user_password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
    update_session_auth_hash(request, request.user)
    messages.success(request, _("Your password has been changed."))
    return redirect("account")


@login_required
@require_POST
def account_secret_question(request):
    form = SecretQuestionForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, secret_form=form, status=400)
    user_secret_question_change(
        user=request.user,
        secret_question=form.cleaned_data["secret_question"],
        secret_answer=form.cleaned_data["secret_answer"],
    )
    messages.success(request, _("Your secret question has been changed."))
    return redirect("account")


@login_required
@require_POST
def account_workspaces(request):
    form = WorkspacesForm(request.POST, workspaces=list(workspaces_available()))
    if not form.is_valid():
        return _account_page(request, workspaces_form=form, status=400)
    user_workspaces_set(user=request.user, codes=form.cleaned_data["workspaces"])
    messages.success(request, _("Your workspaces have been updated. The menu shows them now."))
    return redirect(reverse("account") + "#workspaces")


# --- account-first signup (seed 003) ------------------------------------------------------------------------------


def account_create(request):
    """ "Saisie nouvel utilisateur": an account without a structure, activated from the emailed link."""
    if request.user.is_authenticated:
        return redirect("home")
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            key: value
            for key, value in form.cleaned_data.items()
            if key not in ("email_confirmation", "captcha")
        }
        try:
            user = user_account_create(language=get_language(), **data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            request.session["account_created_email"] = user.email
            return redirect("account_created")
    return render(request, "accounts/account_create.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def account_created(request):
    email = request.session.get("account_created_email")
    if not email:
        return redirect("account_create")
    return render(
        request, "accounts/account_created.html", {"email": email, "sender": settings.DEFAULT_FROM_EMAIL}
    )
