import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chorus_portal.forms import PortalForm
from structures.models import IdentifierType, Scope, Structure


class ServicesField(forms.ModelMultipleChoiceField):
    """Services of a structure, ticked in a list. A value that is not a plausible service id (letters, or a number
    too large for the database) is refused as an invalid choice before the database sees it."""

    widget = forms.CheckboxSelectMultiple

    def _check_values(self, value):
        for pk in value:
            if not re.fullmatch(r"[0-9]{1,18}", str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


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
    services = ServicesField(
        label=_("Services"),
        required=False,
        queryset=None,
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


class StructureCreateForm(PortalForm):
    """ "Saisie nouvelle structure" (seed 003). When the SIRENE directory knows the SIRET, the corporate name and
    the head-office address come from it and are read-only."""

    SIRENE_FIELDS = (
        "corporate_name",
        "address",
        "address_complement_1",
        "address_complement_2",
        "postal_code",
        "city",
    )

    identifier_type = forms.ChoiceField(
        label=_("Identifier type"),
        choices=[
            (value, label) for value, label in IdentifierType.choices if value != IdentifierType.PARTICULIER
        ],
        initial=IdentifierType.SIRET,
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=80)
    corporate_name = forms.CharField(label=_("Corporate name"), max_length=255)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Structure.Status.choices,
        initial=Structure.Status.ACTIVE,
        widget=forms.RadioSelect,
    )
    label = forms.CharField(label=_("Structure label"), max_length=255, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    rcs_number = forms.CharField(label=_("RCS number"), max_length=50, required=False)
    is_edi_emitter = forms.BooleanField(label=_("Issues EDI flows"), required=False)
    receives_edi_lifecycle = forms.BooleanField(label=_("Receive life cycles in EDI"), required=False)
    connection_request_active = forms.BooleanField(label=_("Connection request active"), required=False)
    is_agricultural_management_centre = forms.BooleanField(
        label=_("The structure is an agricultural management centre"), required=False
    )
    is_private = forms.BooleanField(
        label=_("Private structure"),
        required=False,
        initial=True,
        help_text=_(
            "Public structures (State services, local authorities, public bodies) cannot be created by suppliers: "
            "ask the portal's support to create them, giving their legal status, SIRET, corporate name and address."
        ),
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    address_complement_1 = forms.CharField(label=_("Address supplement 1"), max_length=255, required=False)
    address_complement_2 = forms.CharField(label=_("Address supplement 2"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.ChoiceField(label=_("Country"), choices=[("FR", _("France"))], initial="FR")
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=30, required=False)

    def __init__(self, *args, sirene=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sirene = sirene
        if sirene is not None:
            for name in self.SIRENE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].initial = getattr(sirene, name)
                self.fields[name].required = False
            self.fields["corporate_name"].help_text = _("From the SIRENE directory of INSEE: not editable.")

    def clean_identifier(self):
        from structures.identifiers import validate_identifier

        identifier_type = self.data.get(self.add_prefix("identifier_type"), IdentifierType.SIRET)
        return validate_identifier(identifier_type, self.cleaned_data["identifier"])

    def clean_is_private(self):
        if not self.cleaned_data["is_private"]:
            raise forms.ValidationError(
                _(
                    "Public structures cannot be created by suppliers. Ask the portal's support to create it "
                    "(legal status, SIRET without spaces, corporate name, address, postal code, city, country)."
                ),
                code="public",
            )
        return True


class StructureEditForm(PortalForm):
    """A manager edits the structure's details. The identifier and the corporate name (from INSEE) stay as they are."""

    label = forms.CharField(label=_("Structure label"), max_length=255, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    rcs_number = forms.CharField(label=_("RCS number"), max_length=50, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Structure.Status.choices, widget=forms.RadioSelect)
    is_edi_emitter = forms.BooleanField(label=_("Issues EDI flows"), required=False)
    receives_edi_lifecycle = forms.BooleanField(label=_("Receive life cycles in EDI"), required=False)
    connection_request_active = forms.BooleanField(label=_("Connection request active"), required=False)
    is_agricultural_management_centre = forms.BooleanField(
        label=_("The structure is an agricultural management centre"), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=255)
    address_complement_1 = forms.CharField(label=_("Address supplement 1"), max_length=255, required=False)
    address_complement_2 = forms.CharField(label=_("Address supplement 2"), max_length=255, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    city = forms.CharField(label=_("City"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    fax = forms.CharField(label=_("Fax"), max_length=30, required=False)

    @classmethod
    def initial_for(cls, structure):
        return {name: getattr(structure, name) for name in cls.base_fields}


class StructureWorkspacesForm(PortalForm):
    """« Liste des espaces de la structure »: each workspace of the catalogue open on the structure or not."""

    workspaces = forms.MultipleChoiceField(
        label=_("Workspaces open on the structure"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, rows, **kwargs):
        self.rows = list(rows)
        kwargs.setdefault("initial", {"workspaces": [row.workspace.code for row in self.rows if row.is_open]})
        super().__init__(*args, **kwargs)
        self.fields["workspaces"].choices = [(row.workspace.code, row.workspace.label) for row in self.rows]

    def table_rows(self):
        """(row, ticked) for the template: what was submitted when the form is bound, else what is open."""
        ticked = set(self["workspaces"].value() or ())
        return [(row, row.workspace.code in ticked) for row in self.rows]


class OptionalServiceForm(PortalForm):
    """A first service of a new structure, on the further blocks page: optional, but a code needs a name."""

    code = forms.CharField(label=_("Service code"), max_length=100, required=False)
    name = forms.CharField(label=_("Service name"), max_length=255, required=False)

    def clean(self):
        cleaned = super().clean()
        code, name = (cleaned.get("code") or "").strip(), (cleaned.get("name") or "").strip()
        if code and not name:
            self.add_error("name", _("Enter the service name."))
        if name and not code:
            self.add_error("code", _("Enter the service code."))
        return cleaned
