import math
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    AccountCreateForm,
    ActivationForm,
    EmailForm,
    Feature,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SecretQuestionForm,
    SignupDetailsForm,
    SignupIdentifyForm,
    SignupIdentifyWithoutSiretForm,
    SignupWorkspacesForm,
    WorkspacesForm,
)
from accounts.models import User
from accounts.password_validation import SCORE_LABELS, password_score
from accounts.ratelimit import client_ip, rate_limit_hit
from accounts.selectors import user_workspace_choices
from accounts.services import (
    PersonData,
    SignupAlreadySubmitted,
    account_activation_max_age,
    signup_identify,
    user_account_create,
    user_password_change,
    user_profile_update,
    user_secret_question_change,
    user_signup,
    user_signup_workspaces_set,
    user_workspaces_set,
)
from accounts.signup_state import Outcome, SignupState
from accounts.tokens import TokenError, activation_tokens, password_reset_tokens
from chorus_portal.forms import unbound_form_markup
from structures.identifiers import IDENTIFIER_FORMAT_HINTS
from structures.models import IdentifierType, Scope, Structure
from structures.selectors import structure_get_by_identifier, user_attachment_rows
from structures.services import StructureData
from workspaces.selectors import workspace_catalogue_cached


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
        user = password_reset_tokens.check(token)
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

ATTACHMENTS_PAGE_SIZE = 5


def _account_page(
    request, *, profile_form=None, password_form=None, secret_form=None, workspaces_form=None, status=200
):
    user = request.user
    # First: the statement that reads the user's counts and workspaces then brings the catalogue along.
    workspaces_form = workspaces_form or _workspaces_form(user=user)
    # "Mes rattachements aux structures": "5 lignes par page (N lignes)", like the search of seed 003.
    attachments = user_attachment_rows(user=user)
    attachments_page = Paginator(attachments, ATTACHMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
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
            "password_form": password_form
            or unbound_form_markup(PasswordChangeForm, lambda: PasswordChangeForm(user=user)),
            "secret_form": secret_form
            or unbound_form_markup(
                SecretQuestionForm, lambda: SecretQuestionForm(user=user), shows=(user.secret_question,)
            ),
            "workspaces_form": workspaces_form,
            "attachments_page": attachments_page,
            "attachments_active": attachments.counts[0] + attachments.counts[1],
            "anchor": "#attachments",
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
    user_password_change(user=request.user, new_password=form.cleaned_data["password1"])
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


def _workspaces_form(data=None, *, user):
    choices = user_workspace_choices(user=user)
    return WorkspacesForm(
        data,
        workspaces=choices.catalogue,
        allowed_codes=choices.allowed_codes,
        blocked_reason=choices.blocked_reason,
        initial={"workspaces": sorted(choices.open_codes)},
    )


@login_required
@require_POST
def account_workspaces(request):
    form = _workspaces_form(request.POST, user=request.user)
    if form.is_valid():
        try:
            user_workspaces_set(user=request.user, codes=form.cleaned_data["workspaces"])
        except ValidationError as error:  # a structure closed the workspace meanwhile
            form.add_error("workspaces", error)
    if not form.is_valid():
        return _account_page(request, workspaces_form=form, status=400)
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
        # The same answer whether or not the address already has an account (its owner is emailed instead).
        user_account_create(
            language=get_language(), base_url=request.build_absolute_uri("/").rstrip("/"), **data
        )
        request.session["account_created_email"] = data["email"]
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


# --- Signup in four steps (seeds 000, 001, 004, 002) -------------------------------------------------


def _load_state(request) -> SignupState:
    return SignupState.load(request.session)


def _identify_form_class(without_siret: bool):
    return SignupIdentifyWithoutSiretForm if without_siret else SignupIdentifyForm


@method_decorator(never_cache, name="dispatch")
class SignupIdentifyView(View):
    """Step 1 "Identifiez-vous" / "Log in": login email address and SIRET number, or another identifier."""

    template_name = "accounts/signup/identify.html"

    def get(self, request):
        state = _load_state(request)
        without_siret = request.GET.get("without_siret") == "1"
        initial = {"email": state.email}
        if state.identifier_type == IdentifierType.SIRET and not without_siret:
            initial["siret"] = state.identifier
        elif state.identifier_type and without_siret:
            initial.update(identifier_type=state.identifier_type, identifier=state.identifier)
        return self.render(request, _identify_form_class(without_siret)(initial=initial))

    def post(self, request):
        form = _identify_form_class(request.POST.get("without_siret") == "1")(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        state = _load_state(request)
        email = form.cleaned_data["email"]
        if state.submitted and state.email == email:
            # The same person coming back to a signup they left: continue where they stopped.
            return redirect("signup_done" if state.workspaces_done else "signup_workspaces")
        identifier_type = form.cleaned_data.get("identifier_type") or IdentifierType.SIRET
        try:
            identification = signup_identify(
                email=email,
                identifier_type=identifier_type,
                identifier=form.identifier_value,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except ValidationError as error:
            form.add_error(form.identifier_field, error)
            return self.render(request, form)
        state = state.start(
            email=email,
            identifier_type=identifier_type,
            identifier=form.identifier_value,
            without_siret=form.without_siret,
        )
        state.outcome = identification.outcome
        state.structure_id = identification.structure_id
        state.prefill = identification.prefill
        state.sirene_unavailable = identification.sirene_unavailable
        state.save(request.session)
        return redirect("signup_details")

    def render(self, request, form):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "format_hints": {str(key): str(value) for key, value in IDENTIFIER_FORMAT_HINTS.items()},
                "format_hint_rows": [
                    (label, IDENTIFIER_FORMAT_HINTS[code]) for code, label in IdentifierType.choices
                ],
            },
        )


@method_decorator(never_cache, name="dispatch")
class SignupDetailsView(View):
    """Step 2 "Complétez les informations demandées": the person, then the structure or the attachment scope."""

    template_name = "accounts/signup/details.html"

    def dispatch(self, request, *args, **kwargs):
        self.state = _load_state(request)
        if not self.state.is_identified:
            return redirect("signup")
        if self.state.submitted:
            return redirect("signup_done" if self.state.workspaces_done else "signup_workspaces")
        self.structure = None
        if self.state.outcome == Outcome.EXISTING:
            self.structure = structure_get_by_identifier(
                identifier_type=self.state.identifier_type, identifier=self.state.identifier
            )
            if self.structure is None:  # removed since step 1 (an administrator's action): start again
                return redirect("signup")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        initial = {"contact_email": self.state.email, **self.state.prefill, **self.state.draft}
        return SignupDetailsForm(data, email=self.state.email, structure=self.structure, initial=initial)

    def get(self, request):
        return self.render(request, self.get_form())

    def post(self, request):
        form = self.get_form(request.POST)
        self.state.draft = form.draft()
        if not form.is_valid():
            self.state.save(request.session)
            return self.render(request, form)
        data = form.cleaned_data
        person = PersonData(
            email=self.state.email,
            last_name=data["last_name"],
            first_name=data["first_name"],
            phone=data["phone"],
            contact_email=data["contact_email"],
            survey_consent=data["survey_consent"],
            language=get_language(),
        )
        structure_data = None
        if self.structure is None:
            structure_data = StructureData(
                identifier_type=self.state.identifier_type,
                identifier=self.state.identifier,
                corporate_name=data["corporate_name"],
                label=data["label"],
                address=data["address"],
                address_complement_1=data["address_complement_1"],
                address_complement_2=data["address_complement_2"],
                postal_code=data["postal_code"],
                city=data["city"],
                country=data["country"] or "FR",
                is_non_diffusible=data["is_non_diffusible"],
                feature_payment_requests=Feature.PAYMENT_REQUESTS in data["features"],
                feature_dume=Feature.DUME in data["features"],
            )
        try:
            result = user_signup(
                person=person,
                structure_data=structure_data,
                structure=self.structure,
                scope=data.get("scope") or Scope.STRUCTURE,
                services=list(data.get("services") or ()),
                submission_key=self.state.submission_key,
            )
        except SignupAlreadySubmitted:
            return redirect("signup_workspaces")
        self.state.submitted = True
        self.state.user_id = result.user.pk if result.user else None
        self.state.structure_created = result.structure_created
        self.state.attachment_requested = result.attachment_requested or self.structure is not None
        self.state.result_structure_id = result.structure.pk if result.structure else None
        self.state.save(request.session)
        return redirect("signup_workspaces")

    def render(self, request, form):
        return render(
            request,
            self.template_name,
            {"form": form, "state": self.state, "structure": self.structure, "step": 2},
        )


@method_decorator(never_cache, name="dispatch")
class SignupWorkspacesView(View):
    """Step 3 "Ouvrez vos espaces de travail": the workspace table with OUI/NON switches."""

    template_name = "accounts/signup/workspaces.html"

    def dispatch(self, request, *args, **kwargs):
        self.state = _load_state(request)
        if not self.state.submitted:
            return redirect("signup_details" if self.state.is_identified else "signup")
        return super().dispatch(request, *args, **kwargs)

    def _structure(self):
        """The structure created or asked for at step 2 (None when the address already had an account)."""
        if not (self.state.user_id and self.state.result_structure_id):
            return None
        return Structure.objects.filter(pk=self.state.result_structure_id).first()

    def get_form(self, data=None):
        allowed_codes, blocked_reason = None, ""
        if self.state.user_id and self.state.result_structure_id and not self.state.structure_created:
            # Joining an existing structure: the self-service workspaces and those the structure has opened.
            choices = user_workspace_choices(user=None, structure=self.state.result_structure_id)
            catalogue, allowed_codes, blocked_reason = (
                choices.catalogue,
                choices.allowed_codes,
                choices.blocked_reason,
            )
        else:
            catalogue = workspace_catalogue_cached()
        initial = self.state.workspaces or [w.code for w in catalogue if w.is_default]
        return SignupWorkspacesForm(
            data,
            catalogue=catalogue,
            allowed_codes=allowed_codes,
            blocked_reason=blocked_reason,
            initial={"workspaces": initial},
        )

    def get(self, request):
        return self.render(request, self.get_form())

    def post(self, request):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        codes = form.cleaned_data["workspaces"]
        user = User.objects.filter(pk=self.state.user_id).first() if self.state.user_id else None
        if user is not None:
            user_signup_workspaces_set(
                user=user, codes=codes, structure=self._structure() if self.state.structure_created else None
            )
        self.state.workspaces = list(codes)
        self.state.workspaces_done = True
        self.state.save(request.session)
        return redirect("signup_done")

    def render(self, request, form):
        return render(
            request,
            self.template_name,
            {"form": form, "state": self.state, "draft": self.state.draft, "step": 3},
        )


@method_decorator(never_cache, name="dispatch")
class SignupDoneView(View):
    """The confirmation: account created, activation email sent (and its validity), primary manager or not."""

    template_name = "accounts/signup/done.html"

    def get(self, request):
        state = _load_state(request)
        if not state.workspaces_done:
            return redirect("signup_workspaces" if state.submitted else "signup")
        max_age = account_activation_max_age()
        return render(
            request,
            self.template_name,
            {
                "state": state,
                "validity_hours": int(max_age.total_seconds() // 3600),
                "step": 4,
            },
        )
