from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import SecretQuestion
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
