from captcha.fields import CaptchaField
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import SecretQuestion, User
from chorus_portal.forms import PortalForm


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

    secret_question = forms.ChoiceField(
        label=_("Secret question"),
        choices=[("", _("Choose a question")), *SecretQuestion.choices],
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


class PasswordChangeForm(PortalForm):
    """Password change in "Mon Compte": the current password is asked first."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is incorrect."), code="password_incorrect")
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second:
            if first != second:
                self.add_error("new_password2", _("The two passwords differ."))
            else:
                try:
                    password_validation.validate_password(first, self.user)
                except forms.ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned


class WorkspacesForm(PortalForm):
    """The user's workspaces, each on or off."""

    workspaces = forms.MultipleChoiceField(
        label=_("My workspaces"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, workspaces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspaces"].choices = [
            (workspace.code, f"{workspace.label} — {workspace.description}") for workspace in workspaces
        ]


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
    captcha = CaptchaField(label=_("Enter the characters shown in the image"))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "An account already exists with this address: log in, or use “Forgot your password?” on the "
                    "home page."
                ),
                code="exists",
            )
        return email

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


class SecretQuestionForm(PortalForm):
    """Change the secret question used to recover the password (the current password is asked first)."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    secret_question = forms.ChoiceField(label=_("Secret question"), choices=SecretQuestion.choices)
    secret_answer = forms.CharField(
        label=_("Answer"), max_length=100, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["secret_question"].initial = user.secret_question

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is incorrect."), code="password_incorrect")
        return password

    def clean_secret_answer(self):
        answer = " ".join(self.cleaned_data["secret_answer"].split())
        if len(answer) < 2:
            raise forms.ValidationError(_("Enter an answer of at least 2 characters."))
        return answer
