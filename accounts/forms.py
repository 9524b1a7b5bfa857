from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

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
