"""The rows of the large change lists are written directly (chorus_portal.admin.FastChangeListMixin): the same
HTML as Django's own rendering."""

import re
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.sites import site
from django.urls import reverse

from accounts.models import User
from structures.models import AttachmentRequest, Structure
from tests.factories import StructureFactory


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
