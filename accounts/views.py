import math
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    AccountCreateForm,
    ActivationForm,
    EmailForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SecretQuestionForm,
    WorkspacesForm,
)
from accounts.models import User
from accounts.password_validation import SCORE_LABELS, password_score
from accounts.ratelimit import client_ip, rate_limit_hit
from accounts.services import (
    user_account_create,
    user_password_change,
    user_profile_update,
    user_secret_question_change,
    user_workspaces_set,
)
from accounts.tokens import TokenError, activation_tokens, password_reset_tokens
from structures.selectors import user_closed_requests, user_memberships, user_pending_requests
from workspaces.selectors import user_open_workspace_codes, workspaces_available


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Without "remember me" the session cookie ends with the browser.
        self.request.session.set_expiry(
            settings.SESSION_COOKIE_AGE if form.cleaned_data["remember_me"] else 0
        )
        return response


class LogoutView(auth_views.LogoutView):
    pass


def lockout(request, credentials=None, *args, **kwargs):
    """django-axes' answer once the failure limit is reached: say when to try again."""
    retry_minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    # The cool-off runs from this last failure.
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    return render(
        request, "accounts/lockout.html", {"retry_minutes": retry_minutes, "retry_at": retry_at}, status=429
    )


def too_many_requests(request):
    return render(request, "accounts/too_many_requests.html", status=429)


def _refuse_writes(execute, sql, params, many, context):
    if not sql.lstrip().upper().startswith("SELECT"):
        raise RuntimeError(f"An emailed link was opened (GET): it must not write ({sql[:60]}…).")
    return execute(sql, params, many, context)


def read_only_on_get(view):
    """Email links: GET shows, POST acts. A GET of the decorated view cannot write to the database (a mail
    scanner that opens the link changes nothing)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            with connection.execute_wrapper(_refuse_writes):
                return view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapper


def link_failure(request, error: TokenError, *, purpose: str):
    """An unusable emailed link: say why, in the user's language when the link named a user, and offer a new
    link."""
    language = error.user.language if error.user else translation.get_language()
    status = 400 if error.code == "invalid" else 410
    with translation.override(language):
        form = EmailForm(initial={"email": error.user.email} if error.user else None)
        return render(
            request,
            "accounts/link_failure.html",
            {
                "code": error.code,
                "purpose": purpose,
                "form": form,
                "activated": bool(error.user and error.user.is_activated),
            },
            status=status,
        )


@never_cache
@sensitive_post_parameters("password1", "password2", "secret_answer")
@require_http_methods(["GET", "POST"])
@read_only_on_get
def activate(request, token):
    """Step 4 of the signup: the emailed link shows the activation page (GET writes nothing); the form activates
    the account (POST)."""
    try:
        user = activation_tokens.check(token)
    except TokenError as error:
        return link_failure(request, error, purpose="activation")
    if user.is_activated:
        return link_failure(request, TokenError("used", user=user), purpose="activation")
    if request.method == "POST":
        form = ActivationForm(request.POST, user=user)
        if form.is_valid():
            services.user_activate(
                user=user,
                password=form.cleaned_data["password1"],
                secret_question=form.cleaned_data["secret_question"],
                secret_answer=form.cleaned_data["secret_answer"],
            )
            return redirect("activation_complete")
    else:
        form = ActivationForm(user=user)
    return render(request, "accounts/activate.html", {"form": form, "account": user})


@require_http_methods(["GET"])
def activation_complete(request):
    return render(request, "accounts/activation_complete.html", {"login_form": LoginForm(request)})


@never_cache
@require_http_methods(["GET", "POST"])
def activation_link_request(request):
    """A new activation link for an expired one. The answer is the same whether or not the address has an
    account waiting for its activation."""
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            if rate_limit_hit(scope="activation-link-ip", key=client_ip(request), limit=10, period=3600):
                return too_many_requests(request)
            services.user_activation_link_request(email=form.cleaned_data["email"])
            return redirect("activation_link_sent")
    else:
        form = EmailForm()
    return render(request, "accounts/activation_link_request.html", {"form": form})


@require_http_methods(["GET"])
def activation_link_sent(request):
    return render(request, "accounts/link_sent.html", {"purpose": "activation"})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """ "Forgot your password?": the login email, then the same answer whether or not it has an account."""
    if request.method == "POST":
        form = EmailForm(request.POST)
        if form.is_valid():
            if rate_limit_hit(scope="password-reset-ip", key=client_ip(request), limit=10, period=3600):
                return too_many_requests(request)
            services.user_password_reset_request(email=form.cleaned_data["email"])
            return redirect("password_reset_sent")
    else:
        form = EmailForm()
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET"])
def password_reset_sent(request):
    return render(request, "accounts/link_sent.html", {"purpose": "password_reset"})


@never_cache
@sensitive_post_parameters("password1", "password2", "secret_answer")
@require_http_methods(["GET", "POST"])
@read_only_on_get
def password_reset_confirm(request, token):
    """The reset link: the secret question, then the new password (GET shows, POST acts)."""
    try:
        user = password_reset_tokens.check(
            token, queryset=User.objects.filter(email_verified_at__isnull=False)
        )
    except TokenError as error:
        return link_failure(request, error, purpose="password_reset")
    if request.method == "POST":
        form = PasswordResetForm(request.POST, user=user)
        if form.is_valid():
            if "secret_answer" in form.cleaned_data:
                try:
                    answer_ok = services.user_secret_answer_verify(
                        user=user, answer=form.cleaned_data["secret_answer"]
                    )
                except services.SecretAnswerLocked:
                    return render(request, "accounts/secret_answer_locked.html", status=429)
                if not answer_ok:
                    form.add_error("secret_answer", _("This is not the answer to your secret question."))
            if form.is_valid():
                services.user_password_reset(user=user, password=form.cleaned_data["password1"])
                return redirect("password_reset_complete")
    else:
        form = PasswordResetForm(user=user)
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "account": user})


@require_http_methods(["GET"])
def password_reset_complete(request):
    return render(request, "accounts/password_reset_complete.html", {"login_form": LoginForm(request)})


@require_POST
@sensitive_post_parameters("password")
def password_strength(request):
    """For the "Password complexity" meter: zxcvbn's score of the typed password and the rules it misses, in the
    page's language. The same rules are enforced when the form is submitted."""
    if rate_limit_hit(scope="password-strength", key=client_ip(request), limit=120, period=60):
        return JsonResponse({"error": "rate_limited"}, status=429)
    password = request.POST.get("password", "")[:200]
    user = User(
        email=request.POST.get("email", "")[:254],
        first_name=request.POST.get("first_name", "")[:100],
        last_name=request.POST.get("last_name", "")[:100],
    )
    try:
        password_validation.validate_password(password, user)
        problems = []
    except ValidationError as error:
        problems = [{"code": item.code, "message": " ".join(item.messages)} for item in error.error_list]
    score = password_score(password, user) if password else 0
    return JsonResponse(
        {"score": score, "label": str(SCORE_LABELS[score]), "problems": problems, "ok": not problems}
    )


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
