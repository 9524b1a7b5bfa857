import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.forms import (
    Feature,
    LoginForm,
    SignupDetailsForm,
    SignupIdentifyForm,
    SignupIdentifyWithoutSiretForm,
    SignupWorkspacesForm,
)
from accounts.models import User
from accounts.services import (
    PersonData,
    SignupAlreadySubmitted,
    account_activation_max_age,
    signup_identify,
    user_signup,
)
from accounts.signup_state import Outcome, SignupState
from structures.identifiers import IDENTIFIER_FORMAT_HINTS
from structures.models import IdentifierType, Scope
from structures.selectors import structure_get_by_identifier
from structures.services import StructureData
from workspaces.selectors import workspace_catalogue
from workspaces.services import workspace_activations_set


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

    def get_form(self, data=None):
        catalogue = workspace_catalogue()
        initial = self.state.workspaces or [w.code for w in catalogue if w.is_default]
        return SignupWorkspacesForm(data, catalogue=catalogue, initial={"workspaces": initial})

    def get(self, request):
        return self.render(request, self.get_form())

    def post(self, request):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        codes = form.cleaned_data["workspaces"]
        if self.state.user_id:
            user = User.objects.filter(pk=self.state.user_id).first()
            if user is not None:
                workspace_activations_set(user=user, active_codes=codes)
        self.state.workspaces = list(codes)
        self.state.workspaces_done = True
        self.state.save(request.session)
        return redirect("signup_done")

    def render(self, request, form):
        selected = set(form["workspaces"].value() or ())
        rows = [(workspace, workspace.code in selected) for workspace in form.catalogue]
        return render(
            request,
            self.template_name,
            {"form": form, "rows": rows, "state": self.state, "draft": self.state.draft, "step": 3},
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
