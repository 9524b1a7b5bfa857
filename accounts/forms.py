import re
from html import escape

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import SecretQuestion
from chorus_portal.captcha import PortalCaptchaField
from chorus_portal.forms import FixedChoiceField, PortalForm
from chorus_portal.markup_cache import MarkupCache
from structures.countries import COUNTRY_CHOICES
from structures.forms import ServicesField
from structures.identifiers import IDENTIFIER_FORMAT_HINTS, validate_identifier
from structures.models import IdentifierType, Scope, Service


class LoginForm(PortalForm, AuthenticationForm):
    """The home page's login box: login email address and password.

    A failure never says which of the two was wrong.
    """

    username = forms.EmailField(
        label=_("Login email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember_me = forms.BooleanField(
        label=_("Remember me"),
        required=False,
        help_text=_("Stay logged in on this device. Otherwise, closing the browser logs you out."),
    )

    error_messages = {
        "invalid_login": _(
            "Incorrect login email address or password. Check both and try again, "
            "or use “Forgot your password?”."
        ),
        "inactive": _("This account has been deactivated. Contact the portal's support."),
        "not_activated": _(
            "This account is not activated yet: open the activation link sent to your login email address."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_activated:
            raise forms.ValidationError(self.error_messages["not_activated"], code="not_activated")


class NewPasswordForm(PortalForm):
    """A new password and its confirmation, checked against the password policy for ``user``."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-password-meter": "password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "data-password-meter": "confirmation"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("The two passwords are not the same."), code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password:
            try:
                password_validation.validate_password(password, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class ActivationForm(NewPasswordForm):
    """Step 4 of the signup (seed 003, "Activation du compte utilisateur"): password and secret question."""

    secret_question = FixedChoiceField(
        label=_("Secret question"), choices=[("", _("Choose a question")), *SecretQuestion.choices]
    )
    secret_answer = forms.CharField(
        label=_("Answer"),
        min_length=2,
        max_length=100,
        help_text=_("Case and accents do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class EmailForm(PortalForm):
    """A login email address, to receive a link (new activation link, password reset)."""

    email = forms.EmailField(
        label=_("Login email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )


class PasswordResetForm(NewPasswordForm):
    """From the reset link: the answer to the secret question, then the new password."""

    secret_answer = forms.CharField(
        label=_("Answer"),
        max_length=100,
        help_text=_("Case and accents do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    field_order = ["secret_answer", "password1", "password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # The DSFR base form has already built the bound fields: change them too.
        if user.secret_question:
            self.fields["secret_answer"].label = user.secret_question_label
            self["secret_answer"].label = user.secret_question_label
        else:
            del self.fields["secret_answer"]
            self._bound_fields_cache.pop("secret_answer", None)


class ProfileForm(PortalForm):
    """ "Mes informations personnelles" of "Mon Compte" (the login email is shown, not edited)."""

    contact_email = forms.EmailField(
        label=_("Contact email address"),
        required=False,
        max_length=254,
        help_text=_("Your contact address will be used for all notifications."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    last_name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput({"autocomplete": "tel", "type": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(char.isdigit() or char in "+ .-()" for char in phone):
            raise forms.ValidationError(_("Enter a phone number made of digits, spaces and an optional “+”."))
        return phone


class CurrentPasswordForm(PortalForm):
    """A form of "Mon Compte" that asks ``self.user``'s current password before changing a credential."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is incorrect."), code="password_incorrect")
        return password


class PasswordChangeForm(CurrentPasswordForm, NewPasswordForm):
    """Password change in "Mon Compte": the current password, then the new one under the activation's policy.

    Mon Compte shows several forms on one page: this one's ids start with ``password_``."""

    field_order = ["current_password", "password1", "password2"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, auto_id="password_%s", **kwargs)
        # The DSFR base form has already built the bound fields: change them too.
        self.fields["password1"].label = self["password1"].label = _("New password")


# The rows of the workspace tables (Mon Compte, signup step 3): a dozen workspaces x on/off/closed x languages.
_WORKSPACE_ROWS = MarkupCache(size=2000)


class GatedWorkspacesForm(PortalForm):
    """A choice among the workspaces of ``catalogue``: those outside ``allowed_codes`` (when given) cannot be opened
    yet and are shown with ``blocked_reason``; forcing one in gets a message at the field. Subclasses declare the
    ``workspaces`` field."""

    def __init__(self, *args, catalogue, allowed_codes=None, blocked_reason="", **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = list(catalogue)
        self.allowed_codes = (
            {workspace.code for workspace in self.catalogue} if allowed_codes is None else set(allowed_codes)
        )
        self.blocked_reason = blocked_reason
        self.fields["workspaces"].choices = [
            (workspace.code, self.choice_label(workspace)) for workspace in self.catalogue
        ]

    def choice_label(self, workspace):
        return workspace.label

    # The ids of the table's rows: "<row_id_prefix>-<code>" (its header, "-description", "-reason") and
    # "<input_id_prefix><code>" (its switch). Each page its own, so that two tables never share an id.
    row_id_prefix = "workspace"
    input_id_prefix = "id_workspace_"

    def table_rows(self):
        """(workspace, ticked, can_open) for ``table_body``: what was submitted when bound, else what is open."""
        ticked = set(self["workspaces"].value() or ())
        return [
            (workspace, workspace.code in ticked, workspace.code in self.allowed_codes)
            for workspace in self.catalogue
        ]

    def table_body(self):
        """The rows of the workspace table (DSFR toggles "OUI"/"NON", the reason under a workspace that cannot be
        opened yet). Written here rather than in a template loop: a row is some twenty template nodes, three of
        them translations, and the catalogue has a dozen workspaces (~3 ms a page; bench/RESULTS.md). Each row is
        written once per process for what it shows (``_row_key``), then reused."""
        language, blocked_reason = get_language(), str(self.blocked_reason)
        return mark_safe(  # noqa: S308 (every value escaped in _table_row)
            "\n".join(
                _WORKSPACE_ROWS.get(
                    self._row_key(workspace, ticked, can_open, blocked_reason, language),
                    lambda: self._table_row(workspace, ticked, can_open, blocked_reason),  # noqa: B023 (called at once)
                )
                for workspace, ticked, can_open in self.table_rows()
            )
        )

    def _row_key(self, workspace, ticked, can_open, blocked_reason, language):
        """Everything ``_table_row`` reads: the table's ids, the language, the workspace's texts and the state."""
        return (
            self.row_id_prefix,
            self.input_id_prefix,
            language,
            workspace.code,
            workspace.label_fr,
            workspace.label_en,
            workspace.description_fr,
            workspace.description_en,
            ticked,
            can_open,
            "" if can_open else blocked_reason,
        )

    def _table_row(self, workspace, ticked, can_open, blocked_reason):
        """One row; every value is escaped (``html.escape``, as Django's ``escape``)."""
        yes, no = escape(gettext("YES")), escape(gettext("NO"))
        row = escape(f"{self.row_id_prefix}-{workspace.code}")
        field = escape(f"{self.input_id_prefix}{workspace.code}")
        label = str(workspace.label)
        open_label = gettext("Open the area “%(label)s”") % {"label": label}
        reason = (
            ""
            if can_open
            else f'<br><span class="fr-text--sm fr-icon-lock-line fr-icon--sm" id="{row}-reason"> '
            f"{escape(blocked_reason)}</span>"
        )
        return (
            f'<tr>\n<th scope="row" id="{row}">{escape(label)}</th>\n<td id="{row}-description">'
            f"{escape(str(workspace.description))}{reason}</td>\n<td>\n"
            f'<div class="fr-toggle">\n<input type="checkbox" class="fr-toggle__input" name="workspaces" '
            f'value="{escape(workspace.code)}" id="{field}"{" checked" if ticked else ""}'
            f'{"" if can_open else " disabled"} aria-describedby="{row}-description">\n'
            f'<label class="fr-toggle__label" for="{field}" data-fr-checked-label="{yes}" '
            f'data-fr-unchecked-label="{no}"><span class="fr-sr-only">'
            f"{escape(open_label)}</span></label>\n</div>\n</td>\n</tr>"
        )

    def clean_workspaces(self):
        codes = self.cleaned_data["workspaces"]
        blocked = [
            workspace.label
            for workspace in self.catalogue
            if workspace.code in codes and workspace.code not in self.allowed_codes
        ]
        if blocked:
            raise forms.ValidationError(
                _("%(workspaces)s: your manager must first open this workspace on the structure.")
                % {"workspaces": ", ".join(blocked)},
                code="workspace_not_open_on_structure",
            )
        return codes


class WorkspacesForm(GatedWorkspacesForm):
    """The user's workspaces, each on or off. Those the user may not open yet (``allowed_codes``: the
    self-service ones and those open on one of their structures) are shown with ``blocked_reason``; forcing one
    in gets a message at the field."""

    workspaces = forms.MultipleChoiceField(
        label=_("My workspaces"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    row_id_prefix = "account-workspace"
    input_id_prefix = "id_workspaces_"

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, catalogue=workspaces, **kwargs)

    def choice_label(self, workspace):
        return f"{workspace.label} — {workspace.description}"


class AccountCreateForm(PortalForm):
    """ "Saisie nouvel utilisateur" (seed 003): the account alone; the structure comes later from "Mon Compte"."""

    email = forms.EmailField(
        label=_("Login email address"),
        max_length=254,
        help_text=_("Your login address will let you log in."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
    )
    email_confirmation = forms.EmailField(
        label=_("Enter your login email address again"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact email address"),
        required=False,
        max_length=254,
        help_text=_(
            "Your contact address will be used to contact you. If it is empty, your login address will be used."
        ),
    )
    last_name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    address = forms.CharField(
        label=_("Address"), max_length=200, widget=forms.TextInput({"autocomplete": "address-line1"})
    )
    address_complement_1 = forms.CharField(label=_("Address supplement 1"), max_length=200, required=False)
    address_complement_2 = forms.CharField(label=_("Address supplement 2"), max_length=200, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=20, widget=forms.TextInput({"autocomplete": "postal-code"})
    )
    city = forms.CharField(
        label=_("City"), max_length=100, widget=forms.TextInput({"autocomplete": "address-level2"})
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("FR", _("France"))], initial="FR")
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"})
    )
    fax = forms.CharField(
        label=_("Fax"), max_length=30, required=False, widget=forms.TextInput({"type": "tel"})
    )
    captcha = PortalCaptchaField(label=_("Enter the characters shown in the image"))

    def clean_email(self):
        # Whether an account exists is never said here (no account enumeration): the service emails its owner.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and email != confirmation.strip().lower():
            self.add_error("email_confirmation", _("The two login email addresses differ."))
        for name in ("phone", "fax"):
            value = cleaned.get(name, "")
            if value and not all(char.isdigit() or char in "+ .-()" for char in value):
                self.add_error(name, _("Enter a phone number made of digits, spaces and an optional “+”."))
        return cleaned


class SecretQuestionForm(CurrentPasswordForm):
    """Change the secret question used to recover the password (the current password is asked first).

    Mon Compte shows several forms on one page: this one's ids start with ``secret_``."""

    secret_question = FixedChoiceField(label=_("Secret question"), choices=SecretQuestion.choices)
    secret_answer = forms.CharField(
        label=_("Answer"), max_length=100, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, auto_id="secret_%s", **kwargs)
        self.fields["secret_question"].initial = user.secret_question

    def clean_secret_answer(self):
        answer = " ".join(self.cleaned_data["secret_answer"].split())
        if len(answer) < 2:
            raise forms.ValidationError(_("Enter an answer of at least 2 characters."))
        return answer


# --- Signup ----------------------------------------------------------------------------------------

_FORBIDDEN_CHARACTERS = re.compile(
    r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def validate_plain_text(value):
    """Refuse markup and invisible control characters (they have no place in a name or an address)."""
    if _FORBIDDEN_CHARACTERS.search(value or ""):
        raise forms.ValidationError(
            _("This field contains characters that are not allowed (< >, or invisible control characters)."),
            code="forbidden_characters",
        )


def validate_one_line(value):
    if "\n" in (value or "") or "\r" in (value or ""):
        raise forms.ValidationError(_("Write this on a single line."), code="multiline")


class PlainTextField(forms.CharField):
    default_validators = [validate_plain_text, validate_one_line]


class SignupEmailField(forms.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.EmailInput(
                attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).lower()


SIRET_FORMAT_HINT = IDENTIFIER_FORMAT_HINTS[IdentifierType.SIRET]


class SignupIdentifyForm(PortalForm):
    """Step 1 "Identifiez-vous": login email address and SIRET number (seeds 000/001)."""

    email = SignupEmailField(label=_("Login email address"))
    siret = forms.CharField(
        label=_("SIRET number"),
        max_length=30,
        help_text=SIRET_FORMAT_HINT,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    without_siret = False

    def clean_siret(self):
        try:
            return validate_identifier(IdentifierType.SIRET, self.cleaned_data["siret"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None

    @property
    def identifier_type(self):
        return IdentifierType.SIRET

    @property
    def identifier_field(self):
        return "siret"

    @property
    def identifier_value(self):
        return self.cleaned_data["siret"]


class SignupIdentifyWithoutSiretForm(PortalForm):
    """Step 1 for a structure without SIRET: identifier type, identifier and its expected format (seed 002)."""

    email = SignupEmailField(label=_("Login email address"))
    identifier_type = FixedChoiceField(
        label=_("Identifier type"), choices=IdentifierType.choices, initial=IdentifierType.UE_HORS_FRANCE
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=80, validators=[validate_plain_text])

    without_siret = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get(self.add_prefix("identifier_type")) if self.is_bound else None
        chosen = chosen if chosen in IDENTIFIER_FORMAT_HINTS else self.initial.get("identifier_type")
        chosen = chosen if chosen in IDENTIFIER_FORMAT_HINTS else IdentifierType.UE_HORS_FRANCE
        self.fields["identifier"].help_text = IDENTIFIER_FORMAT_HINTS[chosen]
        self._bound_fields_cache.pop("identifier", None)  # built before the hint was known
        self.fields["identifier_type"].widget.attrs["data-format-hints-target"] = "id_identifier_helptext"

    def clean(self):
        cleaned = super().clean()
        identifier_type = cleaned.get("identifier_type")
        if identifier_type and "identifier" in cleaned:
            try:
                cleaned["identifier"] = validate_identifier(identifier_type, cleaned["identifier"])
            except ValidationError as error:
                self.add_error("identifier", forms.ValidationError(error.messages, code=error.code))
        return cleaned

    @property
    def identifier_field(self):
        return "identifier"

    @property
    def identifier_value(self):
        return self.cleaned_data["identifier"]


SURVEY_CONSENT_TEXT = _(
    "I agree that my last name, first name and email address will be used by the Ministry of Public Accounts "
    "and Action (and by the provider conducting satisfaction surveys for AIFE) to receive the satisfaction survey "
    "on Chorus Pro. I also note that I can at any time exercise my right of withdrawal by unchecking the option."
)


class Feature:
    PAYMENT_REQUESTS = "payment_requests"
    DUME = "dume"
    CHOICES = [
        (
            PAYMENT_REQUESTS,
            _("Submit payment requests (invoices, legal fee statements and TIC refund requests)"),
        ),
        (DUME, _("Create and/or consult DUME")),
    ]


ADDRESS_FIELDS = ("address", "address_complement_1", "address_complement_2", "postal_code", "city", "country")


class SignupDetailsForm(PortalForm):
    """Step 2 "Complétez les informations demandées": the person, then the structure (new) or the scope of the
    attachment request (existing structure)."""

    # Personal block ("Je complète mes informations personnelles")
    email_confirmation = SignupEmailField(label=_("Confirm your login email address"))
    last_name = PlainTextField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = PlainTextField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    phone = PlainTextField(
        label=_("Phone"),
        max_length=30,
        required=False,
        validators=[
            RegexValidator(
                r"^\+?[0-9 ().-]{6,30}$", _("Enter a phone number: digits, spaces and + . - ( ) only.")
            )
        ],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = SignupEmailField(
        label=_("Contact email address"),
        required=False,
        help_text=_(
            "Pre-filled with your login email address, it receives the notifications. You can change it if needed."
        ),
    )
    survey_consent = forms.BooleanField(label=SURVEY_CONSENT_TEXT, required=False)
    captcha = PortalCaptchaField(label=_("Write the characters generated by the image"))

    # Structure block ("Je crée ma structure")
    corporate_name = PlainTextField(label=_("Corporate name"), max_length=255)
    label = PlainTextField(label=_("Structure label"), max_length=255, required=False)
    address = PlainTextField(label=_("Address"), max_length=255)
    address_complement_1 = PlainTextField(label=_("Supplement address 1"), max_length=255, required=False)
    address_complement_2 = PlainTextField(label=_("Supplement address 2"), max_length=255, required=False)
    postal_code = PlainTextField(
        label=_("Zip code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = PlainTextField(label=_("City"), max_length=100)
    country = FixedChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, initial="FR")
    is_non_diffusible = forms.BooleanField(
        label=_("INSEE not Diffusible"),
        required=False,
        help_text=_(
            "Tick only if you asked INSEE to keep your SIRET confidential: the address, zip code, city and "
            "country of your structure will then be masked."
        ),
    )
    features = forms.MultipleChoiceField(
        label=_("I create my account for"),
        choices=Feature.CHOICES,
        initial=[Feature.PAYMENT_REQUESTS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one feature.")},
    )

    # Existing structure ("Je me rattache à")
    scope = forms.ChoiceField(
        label=_("I attach myself to"),
        choices=Scope.choices,
        initial=Scope.STRUCTURE,
        widget=forms.RadioSelect,
    )
    services = ServicesField(label=_("Services"), queryset=Service.objects.none(), required=False)

    PERSONAL_FIELDS = (
        "email_confirmation",
        "last_name",
        "first_name",
        "phone",
        "contact_email",
        "survey_consent",
    )
    STRUCTURE_FIELDS = (
        "corporate_name",
        "label",
        *ADDRESS_FIELDS,
        "is_non_diffusible",
        "features",
    )
    ATTACHMENT_FIELDS = ("scope", "services")

    def __init__(self, *args, email, structure=None, **kwargs):
        # A new structure's form has no attachment fields, an attachment's no structure fields: only this shape's
        # fields are copied.
        self.base_fields = self.base_fields_without(
            self.ATTACHMENT_FIELDS if structure is None else self.STRUCTURE_FIELDS
        )
        super().__init__(*args, **kwargs)
        self.email = email
        self.structure = structure
        if structure is not None:
            services = list(structure.services.all())
            if services:
                self.fields["services"].queryset = Service.objects.filter(structure=structure, is_active=True)
                self.fields["services"].choices = [(s.pk, s.name) for s in services]  # already fetched
            else:
                self.fields["scope"].choices = [(Scope.STRUCTURE, Scope.STRUCTURE.label)]
                del self.fields["services"]
        non_diffusible = (
            self.is_bound
            and self.fields.get("is_non_diffusible") is not None
            and (
                self.fields["is_non_diffusible"].widget.value_from_datadict(
                    self.data, self.files, self.add_prefix("is_non_diffusible")
                )
            )
        )
        for name in ("address", "postal_code", "city", "country"):
            if name in self.fields:
                # Masked (and optional) when the structure is "Non diffusible INSEE".
                self.fields[name].widget.attrs["data-masked-when-non-diffusible"] = ""
                if non_diffusible:
                    self.fields[name].required = False

    def clean_email_confirmation(self):
        value = self.cleaned_data["email_confirmation"]
        if value != self.email:
            raise forms.ValidationError(
                _("This address differs from your login email address %(email)s."),
                code="mismatch",
                params={"email": self.email},
            )
        return value

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"] or self.email

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("country") == "FR"
            and cleaned.get("postal_code")
            and not re.fullmatch(r"\d{5}", cleaned["postal_code"])
        ):
            self.add_error(
                "postal_code", forms.ValidationError(_("A French zip code has 5 digits."), code="postal_code")
            )
        if "scope" in self.fields and cleaned.get("scope") == Scope.SERVICES and not cleaned.get("services"):
            self.add_error(
                "services", forms.ValidationError(_("Choose at least one service."), code="services_required")
            )
        return cleaned

    def draft(self) -> dict:
        """What the person typed, to keep in the session: known fields only, bounded, never the captcha."""
        draft = {}
        for name in (*self.PERSONAL_FIELDS, *self.STRUCTURE_FIELDS, *self.ATTACHMENT_FIELDS):
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            value = widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if isinstance(value, list):
                draft[name] = [str(item)[:50] for item in value[:50]]
            elif isinstance(value, bool):
                draft[name] = value
            elif value is not None:
                draft[name] = str(value)[:300].replace("\x00", "")
        return draft


class SignupWorkspacesForm(GatedWorkspacesForm):
    """Step 3 "Ouvrez vos espaces de travail": OUI/NON for each workspace of the catalogue. A person asking to
    join an existing structure may open the self-service workspaces and those the structure has opened
    (``allowed_codes``); the others are shown with ``blocked_reason``."""

    workspaces = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
