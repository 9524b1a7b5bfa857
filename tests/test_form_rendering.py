"""The portal's forms write Django's widgets without the template engine (chorus_portal.forms.PortalFormRenderer)
and their field groups with leaner templates than django-dsfr's (PortalBoundField): every form of the portal,
blank, bound with hostile input (errors) and with initial values, must come out exactly as django-dsfr's field
templates and Django's widget templates write it."""

import copy
import re

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.http import QueryDict
from django.utils import translation
from dsfr.forms import DsfrBoundField

from accounts import forms as account_forms
from chorus_portal.forms import (
    _GROUPS,
    PORTAL_FORM_RENDERER,
    FixedChoiceField,
    FixedOptionsSelect,
    PortalForm,
    unbound_form_markup,
)
from structures import forms as structure_forms
from structures.countries import COUNTRY_CHOICES
from tests.connected.conftest import login
from tests.factories import ServiceFactory, StructureFactory, UserFactory
from workspaces import selectors as workspace_selectors

HOSTILE = '<script>alert("x")</script> & \' "quoted" é'
# The captcha's key and image change at every rendering.
CAPTCHA = re.compile(r"(captcha/image/|captcha/audio/|captcha_0\" value=\")[0-9a-f]+")


def _forms(user, structure, catalogue):
    """(name, class, keyword arguments) of every form of the portal."""
    services = structure.services.all()
    return [
        ("login", account_forms.LoginForm, {}),
        ("new password", account_forms.NewPasswordForm, {"user": user}),
        ("activation", account_forms.ActivationForm, {"user": user}),
        ("email", account_forms.EmailForm, {}),
        ("password reset", account_forms.PasswordResetForm, {"user": user}),
        ("profile", account_forms.ProfileForm, {}),
        ("password change", account_forms.PasswordChangeForm, {"user": user}),
        ("workspaces", account_forms.WorkspacesForm, {"workspaces": catalogue}),
        ("account create", account_forms.AccountCreateForm, {}),
        ("secret question", account_forms.SecretQuestionForm, {"user": user}),
        ("signup identify", account_forms.SignupIdentifyForm, {}),
        ("signup identify without SIRET", account_forms.SignupIdentifyWithoutSiretForm, {}),
        ("signup details, new structure", account_forms.SignupDetailsForm, {"email": user.email}),
        (
            "signup details, attachment",
            account_forms.SignupDetailsForm,
            {"email": user.email, "structure": structure},
        ),
        ("signup workspaces", account_forms.SignupWorkspacesForm, {"catalogue": catalogue}),
        ("public search", structure_forms.PublicSearchForm, {}),
        ("attachment search", structure_forms.AttachmentSearchForm, {}),
        ("attachment request", structure_forms.AttachmentRequestForm, {"services": services}),
        ("decision", structure_forms.DecisionForm, {"request_ids": [1, 2]}),
        ("service", structure_forms.ServiceForm, {}),
        ("service update", structure_forms.ServiceUpdateForm, {}),
        ("leave", structure_forms.LeaveForm, {"membership_ids": [3, 4]}),
        ("structure create", structure_forms.StructureCreateForm, {}),
        ("structure edit", structure_forms.StructureEditForm, {}),
    ]


def _hostile_data(form_class, kwargs):
    """Every field (and sub-field) given the hostile value, the multiple choices a valid and an invalid one."""
    data = QueryDict(mutable=True)
    for name, field in form_class(**kwargs).fields.items():
        for key in [name, f"{name}_0", f"{name}_1"]:
            data.setlist(key, [HOSTILE])
        choices = [str(value) for value, _ in getattr(field, "choices", [])][1:2]
        if choices:
            data.setlist(name, [*choices, HOSTILE])
    return data


def _rendered(form):
    parts = [form.render()]
    for bound_field in form:
        parts.append(bound_field.as_field_group())
        parts.append(str(bound_field))
        parts.extend(str(subwidget) for subwidget in bound_field.subwidgets)
    return CAPTCHA.sub(r"\1…", "\n".join(parts))


@pytest.mark.parametrize("state", ["blank", "bound with hostile input", "initial values"])
def test_every_form_renders_as_with_dsfr_and_django_templates(state, workspace_catalogue):
    user = UserFactory(secret_question="first_pet")
    structure = StructureFactory()
    ServiceFactory(structure=structure, name=HOSTILE)
    ServiceFactory(structure=structure)
    catalogue = list(workspace_selectors.workspace_catalogue())
    checked = 0
    for name, form_class, kwargs in _forms(user, structure, catalogue):
        assert issubclass(form_class, PortalForm)
        if state == "bound with hostile input":
            kwargs = {**kwargs, "data": _hostile_data(form_class, kwargs)}
        elif state == "initial values":
            kwargs = {**kwargs, "initial": _hostile_data(form_class, kwargs).dict()}
        fast = form_class(**kwargs)
        assert fast.renderer is PORTAL_FORM_RENDERER
        reference_class = type(
            f"Reference{form_class.__name__}", (form_class,), {"bound_field_class": DsfrBoundField}
        )
        reference = reference_class(**kwargs, renderer=TemplatesSetting())
        if state == "bound with hostile input":
            assert fast.is_valid() == reference.is_valid(), name
        assert _rendered(fast) == _rendered(reference), name
        checked += 1
    assert checked == 24


class InlineRadios(forms.RadioSelect):
    inline = True


class Sample(PortalForm):
    """What the portal's forms do not have yet: disabled fields, inline options, hidden fields, form errors."""

    text = forms.CharField(disabled=True, help_text="<b>h</b>", required=False)
    tick = forms.BooleanField(disabled=True, help_text="x")
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, disabled=True
    )
    one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=InlineRadios, help_text="pick")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("whole form <wrong>")


def test_the_python_writers_follow_the_templates_beyond_the_portals_forms():
    for kwargs in ({}, {"data": {"one": "zz", "hidden": "<x>"}}, {"auto_id": False}):
        fast = Sample(**kwargs)
        ref = type("Ref", (Sample,), {"bound_field_class": DsfrBoundField})(
            **kwargs, renderer=TemplatesSetting()
        )
        if "data" in kwargs:
            fast.is_valid()
            ref.is_valid()
        assert str(fast) == str(ref)
        assert [f.as_field_group() for f in fast] == [f.as_field_group() for f in ref]


def test_a_fixed_options_select_writes_what_a_select_writes_once_per_language_value_and_attributes():
    states = [
        (None, None),
        ("DE", {"id": "id_country", "aria-invalid": "true"}),
        ("FR", {"id": "id_country"}),
    ]
    written = {}
    for language in ("fr", "en"):
        with translation.override(language):
            for value, attrs in states:
                fixed = FixedOptionsSelect(choices=COUNTRY_CHOICES)
                markup = fixed.render("country", value, attrs, PORTAL_FORM_RENDERER)
                plain = forms.Select(choices=COUNTRY_CHOICES).render(
                    "country", value, attrs, PORTAL_FORM_RENDERER
                )
                assert markup == plain
                # Rendered once: another widget of the same list, language, value and attributes reuses it.
                again = FixedOptionsSelect(choices=COUNTRY_CHOICES).render(
                    "country", value, attrs, PORTAL_FORM_RENDERER
                )
                assert again is markup
                written[language, value] = markup
    assert ">Allemagne</option>" in written["fr", "DE"] and ">Germany</option>" in written["en", "DE"]
    assert '<option value="DE" selected>' in written["en", "DE"]
    assert '<option value="FR" selected>' in written["en", "FR"] and "selected" not in written["en", None]


def test_a_fixed_options_select_with_an_attribute_that_cannot_be_a_key_is_rendered_all_the_same():
    widget = FixedOptionsSelect(choices=COUNTRY_CHOICES, attrs={"data-x": ["a"]})
    markup = widget.render("country", "DE", None, PORTAL_FORM_RENDERER)
    assert '<option value="DE" selected>' in markup and "data-x" in markup


class Consent(PortalForm):
    """A checkbox, a fixed select and a text input whose attributes change with the visitor."""

    name = forms.CharField(max_length=50)
    agree = forms.BooleanField(required=False, label="I agree")
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, widget=FixedOptionsSelect)

    def __init__(self, *args, structure_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structure_name:
            self.fields["name"].required = False
            self.fields["name"].widget.attrs["placeholder"] = f"Name used at {structure_name}"
            # A field of this form only, whose label and hint name the structure.
            self.fields["reference"] = forms.CharField(
                label=f"Your reference at {structure_name}", help_text=f"As {structure_name} knows you"
            )


def _groups(form_class, **kwargs):
    fast = form_class(**kwargs)
    reference_class = type(
        f"Reference{form_class.__name__}", (form_class,), {"bound_field_class": DsfrBoundField}
    )
    reference = reference_class(**kwargs, renderer=TemplatesSetting())
    if "data" in kwargs:
        assert fast.is_valid() == reference.is_valid()
    return [group.as_field_group() for group in fast], [group.as_field_group() for group in reference]


def test_a_field_group_is_rendered_once_then_shows_each_visitors_value():
    """Mon Compte's profile for several people, in French and English: each sees their own values, escaped, in
    the markup django-dsfr's templates write; once a field's group has been rendered with a value, another value
    reuses it."""
    people = [
        {},
        {"last_name": "Dupond", "first_name": "Zoé", "contact_email": "zoe@example.fr"},
        {"last_name": HOSTILE, "phone": "+33 1 23 45 67 89"},
        {"last_name": "Martin", "first_name": "Léa", "contact_email": "lea@example.fr", "phone": "01 02"},
    ]
    for language in ("fr", "en"):
        with translation.override(language):
            for initial in people:
                fast, reference = _groups(account_forms.ProfileForm, initial=initial)
                assert fast == reference
            kept = len(_GROUPS)
            groups, _ = _groups(account_forms.ProfileForm, initial={"last_name": "Durand", "phone": "<b>"})
            assert len(_GROUPS) == kept  # no new rendering: the same groups, another value
            assert 'value="Durand"' in groups[1] and 'value="&lt;b&gt;"' in groups[3]
            assert ("Nom" if language == "fr" else "Name") in groups[1]
    # Posted: valid values shown again; an error shown next to its field, with what was typed, not from the cache.
    fast, reference = _groups(
        account_forms.ProfileForm, data={"last_name": "Roux", "first_name": "Jo", "phone": "x"}
    )
    assert fast == reference
    assert 'value="Roux"' in fast[1] and "fr-input-group--error" in fast[3] and 'value="x"' in fast[3]


def test_a_kept_field_group_follows_a_checkbox_a_fixed_select_and_attributes_changed_for_one_visitor():
    cases = [
        {},
        {"initial": {"agree": True, "country": "DE", "name": "A"}},
        {"initial": {"agree": False, "country": "FR", "name": "B"}},
        {"structure_name": "ACME <SA>", "initial": {"name": "C"}},
        {"structure_name": "Dupont & fils", "initial": {"name": "D"}},
        {"data": {"name": "E", "agree": "on", "country": "BE"}},
    ]
    for kwargs in cases:
        fast, reference = _groups(Consent, **kwargs)
        assert fast == reference, kwargs
    checked, _ = _groups(Consent, initial={"agree": True})
    unchecked, _ = _groups(Consent, initial={"agree": False})
    assert "checked" in checked[1] and "checked" not in unchecked[1]
    acme, _ = _groups(Consent, structure_name="ACME <SA>")
    assert 'placeholder="Name used at ACME &lt;SA&gt;"' in acme[0] and "required" not in acme[0]
    dupont, _ = _groups(Consent, structure_name="Dupont & fils")
    assert 'placeholder="Name used at Dupont &amp; fils"' in dupont[0]
    assert (
        "Your reference at ACME &lt;SA&gt;" in acme[3] and "As ACME <SA> knows you" in acme[3]
    )  # hints are markup
    assert "Your reference at Dupont &amp; fils" in dupont[3] and "As Dupont & fils knows you" in dupont[3]


class Options(PortalForm):
    """Checkboxes and radio buttons whose options a form may change for its visitor."""

    features = forms.MultipleChoiceField(
        choices=[("payments", "Payment requests"), ("dume", "DUME <e>")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    scope = forms.ChoiceField(
        choices=[("all", "The whole structure"), ("some", "Some services")], widget=forms.RadioSelect
    )
    services = forms.MultipleChoiceField(choices=[], widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = list(services)


def test_kept_checkboxes_and_radio_buttons_follow_what_is_ticked_and_each_forms_options():
    cases = [
        {},
        {"initial": {"features": ["payments"], "scope": "all"}},
        {"initial": {"features": ["payments", "dume"], "scope": "some"}},
        {"initial": {"features": []}, "services": [(1, "Accounting"), (2, HOSTILE)]},
        {"initial": {"services": [2]}, "services": [(1, "Accounting"), (2, HOSTILE)]},
        {"initial": {"services": [2]}, "services": [(1, "Accounting"), (2, "Purchasing")]},
        {"data": {"features": ["dume"], "scope": "all"}},
    ]
    for language in ("fr", "en"):
        with translation.override(language):
            for kwargs in cases:
                fast, reference = _groups(Options, **kwargs)
                assert fast == reference, kwargs
    kept = len(_GROUPS)
    ticked, _ = _groups(Options, initial={"features": ["payments", "dume"], "scope": "some"})
    assert len(_GROUPS) == kept  # rendered before: reused
    assert ticked[0].count(" checked") == 2 and 'id="id_scope_1" required checked' in ticked[1]
    renamed, _ = _groups(Options, initial={"services": [2]}, services=[(1, "Accounting"), (2, "Sales")])
    assert "Sales" in renamed[2] and "Purchasing" not in renamed[2]
    assert len(_GROUPS) == kept + 1


def test_a_fixed_choice_fields_list_is_shared_by_the_forms_and_replaced_for_one_form_only():
    first, second = (
        account_forms.SignupDetailsForm(email="a@example.fr"),
        account_forms.SignupDetailsForm(email="b@example.fr"),
    )
    assert isinstance(first.fields["country"], FixedChoiceField)
    assert first.fields["country"].choices is second.fields["country"].choices
    first.fields["country"].choices = [("FR", "France")]
    assert len(second.fields["country"].choices) == len(COUNTRY_CHOICES)
    assert len(account_forms.SignupDetailsForm(email="c@example.fr").fields["country"].choices) == len(
        COUNTRY_CHOICES
    )
    assert '<option value="DE">' not in str(first["country"]) and '<option value="DE">' in str(
        second["country"]
    )
    bound = account_forms.SignupIdentifyWithoutSiretForm(data={"identifier_type": "NOT_A_TYPE"})
    assert "identifier_type" in bound.errors


def test_each_form_has_its_own_copy_of_its_fields_as_with_djangos_deepcopy():
    for form_class in (
        account_forms.SignupDetailsForm,
        account_forms.ProfileForm,
        account_forms.ActivationForm,
    ):
        fast = copy.deepcopy(form_class.base_fields)
        django = copy.deepcopy(dict(form_class.base_fields))
        assert type(fast) is dict and list(fast) == list(django)
        for name, field in fast.items():
            base, reference = form_class.base_fields[name], django[name]
            assert type(field) is type(reference) and type(field.widget) is type(reference.widget), name
            assert field is not base and field.widget is not base.widget, name
            assert vars(field).keys() == vars(reference).keys(), name
            assert (
                field.widget.attrs == reference.widget.attrs and field.widget.attrs is not base.widget.attrs
            )
            assert field.error_messages == reference.error_messages
            assert field.error_messages is not base.error_messages
            assert field.validators == reference.validators and field.validators is not base.validators
    # A form that changes its fields changes its own only.
    first = account_forms.ProfileForm()
    first.fields["last_name"].widget.attrs["placeholder"] = "x"
    first.fields["last_name"].error_messages["required"] = "y"
    first.fields["phone"].validators.append(lambda value: None)
    second = account_forms.ProfileForm()
    assert "placeholder" not in second.fields["last_name"].widget.attrs
    assert second.fields["last_name"].error_messages["required"] != "y"
    assert len(second.fields["phone"].validators) == len(
        account_forms.ProfileForm.base_fields["phone"].validators
    )


def test_a_form_of_one_shape_copies_only_its_own_fields():
    form_class = account_forms.SignupDetailsForm
    new, other = form_class(email="a@example.fr"), form_class(email="b@example.fr")
    assert list(new.fields) == [
        name for name in form_class.base_fields if name not in form_class.ATTACHMENT_FIELDS
    ]
    structure = StructureFactory()
    ServiceFactory(structure=structure)
    attachment = form_class(email="a@example.fr", structure=structure)
    assert list(attachment.fields) == [
        name for name in form_class.base_fields if name not in form_class.STRUCTURE_FIELDS
    ]
    assert {"scope", "services", "corporate_name"} <= set(form_class.base_fields)  # the class keeps them all
    # Each form has its own copies, not the class's nor another form's.
    for name in ("corporate_name", "email_confirmation"):
        assert new.fields[name] is not other.fields[name] is not form_class.base_fields[name]
        assert new.fields[name].widget.attrs is not other.fields[name].widget.attrs
    new.fields["city"].widget.attrs["data-x"] = "1"
    assert "data-x" not in other.fields["city"].widget.attrs


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_unbound_form_kept_whole_is_the_form_rendered_and_follows_what_it_shows(language):
    """Mon Compte's password and secret-question forms and the home page's login and signup boxes are rendered once
    per language and per value they show of the visitor; each equals the form built and rendered anew."""
    first = UserFactory(secret_question="first_pet")
    second = UserFactory(secret_question="birth_city")
    with translation.override(language):
        kept = [
            (
                unbound_form_markup(
                    account_forms.SecretQuestionForm,
                    lambda user=user: account_forms.SecretQuestionForm(user=user),
                    shows=(user.secret_question,),
                ),
                str(account_forms.SecretQuestionForm(user=user)),
            )
            for user in (first, second, first)
        ] + [
            (
                unbound_form_markup(
                    account_forms.PasswordChangeForm, lambda: account_forms.PasswordChangeForm(user=first)
                ),
                str(account_forms.PasswordChangeForm(user=second)),
            ),
            (
                unbound_form_markup(account_forms.LoginForm, lambda: account_forms.LoginForm(None)),
                str(account_forms.LoginForm(None)),
            ),
        ]
    for markup, rendered in kept:
        assert markup == rendered
    assert 'value="first_pet" selected' in kept[0][0] and 'value="birth_city" selected' in kept[1][0]


@pytest.mark.django_db
def test_mon_compte_shows_each_users_own_secret_question_in_turn(client):
    selected = re.compile(r'<option value="([a-z_]+)" selected>')
    for question in ["first_pet", "birth_city", "first_pet"]:
        login(client, UserFactory(secret_question=question))
        for language in ["fr", "en"]:
            assert selected.findall(client.get(f"/{language}/mon-compte/").text) == [question]
