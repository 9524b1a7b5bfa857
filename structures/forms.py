from django import forms
from django.utils.translation import gettext_lazy as _

from chorus_portal.forms import PortalForm
from structures.models import IdentifierType, Scope, Structure


class PublicSearchForm(PortalForm):
    q = forms.CharField(
        label=_("Search public structure"),
        required=False,
        max_length=200,
        help_text=_("Name, identifier (SIRET), postal code or city."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class AttachmentSearchForm(PortalForm):
    """Search criteria of "Demander un rattachement à une structure" (seed 003)."""

    KIND_CHOICES = [("", "—"), ("PRIVATE", _("Private")), ("PUBLIC", _("Public"))]
    COUNTRY_CHOICES = [("", "—"), ("FR", _("France"))]

    corporate_name = forms.CharField(label=_("Corporate name"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=KIND_CHOICES)
    identifier = forms.CharField(label=_("Identifier"), required=False, max_length=80)
    identifier_type = forms.ChoiceField(
        label=_("Identifier type"), required=False, choices=[("", "—"), *IdentifierType.choices]
    )
    label = forms.CharField(label=_("Structure label"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Structure.Status.choices]
    )
    last_name = forms.CharField(label=_("Name"), required=False, max_length=100)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=COUNTRY_CHOICES)

    def clean(self):
        cleaned = super().clean()
        if not any(value for value in cleaned.values()):
            raise forms.ValidationError(_("Enter at least one search criterion."), code="empty")
        return cleaned


class AttachmentRequestForm(PortalForm):
    scope = forms.ChoiceField(
        label=_("Attachment to"),
        choices=Scope.choices,
        initial=Scope.STRUCTURE,
        widget=forms.RadioSelect,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when you chose “Only some services”."),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services
        if not services:
            self.fields["scope"].choices = [(Scope.STRUCTURE, Scope.STRUCTURE.label)]
            del self.fields["services"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Scope.SERVICES and not cleaned.get("services"):
            self.add_error("services", _("Choose at least one service."))
        return cleaned


class DecisionForm(PortalForm):
    """Approve or refuse one or several pending requests ("Valider" / "Refuser")."""

    requests = forms.TypedMultipleChoiceField(
        label=_("Requests"), coerce=int, widget=forms.MultipleHiddenInput
    )
    reason = forms.CharField(
        label=_("Reason (optional, sent to the requester when refusing)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])

    def __init__(self, *args, request_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = [(pk, pk) for pk in request_ids]
        self.fields["requests"].error_messages["required"] = _("Select at least one request.")


class ServiceForm(PortalForm):
    code = forms.CharField(label=_("Service code"), max_length=100)
    name = forms.CharField(label=_("Service name"), max_length=255)


class ServiceUpdateForm(PortalForm):
    name = forms.CharField(label=_("Service name"), max_length=255)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class LeaveForm(PortalForm):
    memberships = forms.TypedMultipleChoiceField(label=_("Attachments"), coerce=int)

    def __init__(self, *args, membership_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["memberships"].choices = [(pk, pk) for pk in membership_ids]
        self.fields["memberships"].error_messages["required"] = _("Select at least one attachment.")
