"""The rows of the large change lists are written directly (chorus_portal.admin.FastChangeListMixin): the same
HTML as Django's own rendering."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.sites import site
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from structures.models import AttachmentRequest, IdentifierType, Role, Structure
from tests.factories import MembershipFactory, StructureFactory, UserFactory


def test_the_row_checkbox_is_django_s(moderator_client):
    structure = StructureFactory(corporate_name="BOULANGERIE <DUPONT>")
    page = moderator_client.get(reverse("admin:structures_structure_changelist")).content.decode()
    expected = admin.ModelAdmin.action_checkbox(site._registry[Structure], structure)
    assert site._registry[Structure].action_checkbox(structure) == expected
    assert expected in page and "BOULANGERIE &lt;DUPONT&gt;" in page


def test_row_links_keep_the_filters_of_the_list(moderator_client):
    structure = StructureFactory(
        corporate_name="BOULANGERIE DUPONT", moderation=Structure.Moderation.TO_REVIEW
    )
    params = {"moderation__exact": "TO_REVIEW", "q": "boulangerie dupont"}
    page = moderator_client.get(reverse("admin:structures_structure_changelist"), params).content.decode()
    change = reverse("admin:structures_structure_change", args=[structure.pk])
    query = urlencode({"_changelist_filters": urlencode(params)}).replace("&", "&amp;")
    links = re.findall(rf'href="{re.escape(change)}(\?[^"]*)?"', page)
    assert links == [f"?{query}"] * 2  # the identifier and the corporate name
    # Unfiltered: plain links, as Django writes them.
    page = moderator_client.get(reverse("admin:structures_structure_changelist")).content.decode()
    assert re.findall(rf'href="{re.escape(change)}(\?[^"]*)?"', page) == [""] * 2


def test_every_large_list_renders_fast():
    from chorus_portal.admin import FastChangeListMixin

    for model in (Structure, User, AttachmentRequest):
        assert isinstance(site._registry[model], FastChangeListMixin), model


def _django_rendering(request, model):
    """The change list of ``model`` as Django itself writes it: the same admin, with Django's change list, row
    checkbox and change list template."""
    registered = site._registry[model]
    reference_class = type(
        "Django" + type(registered).__name__,
        (type(registered),),
        {
            "change_list_template": None,
            "action_checkbox": admin.ModelAdmin.action_checkbox,
            "action_form": helpers.ActionForm,
            "get_changelist": lambda self, request, **kwargs: ChangeList,
        },
    )
    response = reference_class(model, site).changelist_view(request)
    return response.render().content.decode()


def _result_table(page):
    tables = re.findall(r'<table id="result_list">.*?</table>', page, re.DOTALL)
    assert len(tables) == 1
    return tables[0]


def _filters(page):
    filters = re.findall(r'<search id="changelist-filter".*?</search>', page, re.DOTALL)
    assert len(filters) == 1 and "<details" in filters[0]
    return filters[0]


def _unmasked(page):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', page)


def _actions(page):
    actions = re.findall(r'<div class="actions">.*?</div>', page, re.DOTALL)
    assert len(actions) == 1
    return actions[0]


def _varied_data():
    """Rows that go through every kind of cell: escaping, blank and whitespace-only text, each choice, booleans,
    empty and set dates and foreign keys, a primary manager or not, a boolean column of each value."""
    manager = UserFactory(
        email="gestionnaire.<principal>@example.fr", first_name="   ", last_name="O'Brien & fils"
    )
    managed = StructureFactory(
        corporate_name='BOULANGERIE <DUPONT> & "FILS"', city="  ", moderation=Structure.Moderation.VERIFIED
    )
    MembershipFactory(user=manager, structure=managed, role=Role.PRIMARY_MANAGER)
    StructureFactory(
        corporate_name="Mairie de Quimper",
        city="QUIMPER",
        is_private=False,
        status=Structure.Status.INACTIVE,
        moderation=Structure.Moderation.SUSPENDED,
    )
    StructureFactory(
        identifier_type=IdentifierType.RIDET, identifier="1234567", corporate_name="Société ‘Nouméa’"
    )
    pending = AttachmentRequest.objects.create(user=UserFactory(email_verified_at=None), structure=managed)
    decided = AttachmentRequest.objects.create(
        user=UserFactory(),
        structure=managed,
        status=AttachmentRequest.Status.REFUSED,
        decided_by=manager,
        decided_at=timezone.now(),
        created_at=timezone.now() - datetime.timedelta(days=20),
    )
    return pending, decided


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Structure, {}),
        (Structure, {"q": "boulangerie", "moderation__exact": "VERIFIED"}),
        (Structure, {"o": "-1"}),
        (Structure, {"is_private__exact": "0"}),
        (User, {}),
        (User, {"q": "example.fr", "activated": "no"}),
        (AttachmentRequest, {}),
        (AttachmentRequest, {"status__exact": "REFUSED"}),
    ],
)
def test_rows_are_written_as_django_writes_them(moderator_client, model, params, language):
    _varied_data()
    with translation.override(language):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = moderator_client.get(url, params)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/fast_change_list.html"
    ours = _result_table(response.content.decode())
    assert ours.count("<tr>") == 1 + response.context["cl"].result_count > 1
    with translation.override(language):
        django_s = _django_rendering(response.wsgi_request, model)
    assert ours == _result_table(django_s)
    assert _filters(response.content.decode()) == _filters(django_s)
    # The whole page, but for the CSRF token (masked anew at each rendering).
    assert _unmasked(response.content.decode()) == _unmasked(django_s)
    assert _actions(response.content.decode()) == _actions(django_s)
    assert "<select" in _actions(django_s) and "select-across" in _actions(django_s)


def test_popups_and_their_links_are_django_s(moderator_client):
    """A popup (a related-object lookup) writes its links with the data Django's JavaScript reads: Django's own
    rendering, unchanged."""
    _varied_data()
    response = moderator_client.get(reverse("admin:structures_structure_changelist"), {"_popup": "1"})
    ours = _result_table(response.content.decode())
    assert "data-popup-opener" in ours
    assert ours == _result_table(_django_rendering(response.wsgi_request, Structure))


def test_other_kinds_of_columns_are_written_as_django_writes_them(moderator_client):
    """Columns that none of the large lists has today: the model's text, its primary key, a lookup through a
    relation, a callable, the id of a foreign key, a date given by a method."""
    from chorus_portal.admin import FastChangeListMixin

    _varied_data()

    def structure_city(obj):
        return obj.structure.city

    columns = ["__str__", "id", "structure__corporate_name", structure_city, "user_id", "user", "created_on"]

    class Probe(FastChangeListMixin, admin.ModelAdmin):
        list_display = columns
        list_display_links = None

        @admin.display(description="created on", empty_value="(none)")
        def created_on(self, obj):
            return obj.decided_at.date() if obj.decided_at else None

    response = moderator_client.get(reverse("admin:structures_attachmentrequest_changelist"))
    request = response.wsgi_request
    ours = _result_table(Probe(AttachmentRequest, site).changelist_view(request).render().content.decode())
    reference = type("DjangoProbe", (Probe,), {"change_list_template": None,
                                               "get_changelist": lambda self, request, **kwargs: ChangeList})  # fmt: skip
    assert ours == _result_table(
        reference(AttachmentRequest, site).changelist_view(request).render().content.decode()
    )
    assert "(none)" in ours and "nowrap" in ours


@pytest.mark.parametrize(
    "data", [None, {"action": "verify", "select_across": "1"}, {"action": "a&b"}, {"action": "<unknown>"}]
)
def test_the_action_form_is_django_s(data):
    from chorus_portal.admin import ActionForm

    choices = [
        ("", "---------"),
        ("verify", "Vérifier <les> « structures »"),
        ("Groupe & co", [("a&b", 'A "B"')]),
    ]
    forms = [
        form_class(data, auto_id=None, prefix="changelist") for form_class in (ActionForm, helpers.ActionForm)
    ]
    for form in forms:
        form.fields["action"].choices = choices
    ours, django_s = ([str(field) for field in form] for form in forms)
    assert ours == django_s and "<optgroup" in ours[0]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "date_format", ["DATETIME_FORMAT", r"\l\e j F Y \à H\hi", "N j, Y, P", "D d M Y H:i:s.u e O"]
)
def test_date_cells_are_formatted_as_django_formats_them(language, date_format):
    from django.utils import dateformat
    from django.utils.formats import get_format

    from chorus_portal.admin import _DateFormatter

    with translation.override(language):
        date_format = get_format(date_format) if date_format == "DATETIME_FORMAT" else date_format
        formatter = _DateFormatter(date_format)
        for value in [
            datetime.datetime(2026, 5, 1, 0, 0, tzinfo=datetime.UTC),
            datetime.datetime(2026, 12, 31, 12, 0, 7, 1234, tzinfo=datetime.UTC),
            timezone.localtime(timezone.now()),
        ]:
            assert formatter(value) == dateformat.format(value, date_format)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "name", ["admin:index", "admin:structures_structure_changelist", "admin:accounts_user_changelist"]
)
def test_the_navigation_sidebar_is_django_s(moderator_client, language, name):
    """The sidebar's app list is rendered once per apps, page and language, then reused: the same HTML as Django's
    admin/nav_sidebar.html (which templates/admin/nav_sidebar.html overrides), the current page marked."""
    from pathlib import Path

    import django.contrib.admin
    from django.template import engines
    from django.template.loader import get_template

    source = Path(django.contrib.admin.__file__).parent / "templates" / "admin" / "nav_sidebar.html"
    django_template = engines["django"].from_string(source.read_text())
    with translation.override(language):
        url = reverse(name)
    for _ in range(2):  # rendered, then reused
        response = moderator_client.get(url)
        context = {"available_apps": response.context["available_apps"]}
        with translation.override(language):
            ours = get_template("admin/nav_sidebar.html").render(context, request=response.wsgi_request)
            django_s = django_template.render(context, request=response.wsgi_request)
        assert ours == django_s
    if name != "admin:index":  # (the index page has no sidebar)
        assert ours in response.content.decode() and 'aria-current="page"' in ours
