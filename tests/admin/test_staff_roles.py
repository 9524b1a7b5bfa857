import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from news.models import News
from structures.models import ModerationAction
from tests.admin.conftest import MODEL_BACKEND, saved_user
from tests.factories import NewsFactory, StructureFactory
from workspaces.models import Workspace


def test_the_migration_creates_the_two_staff_groups():
    moderators = Group.objects.get(name="Moderators")
    administrators = Group.objects.get(name="Administrators")
    assert administrators.permissions.count() == Permission.objects.count()
    codenames = set(moderators.permissions.values_list("codename", flat=True))
    assert {"moderate_structure", "decide_attachmentrequest", "change_user", "change_news"} <= codenames
    assert {"refresh_structure", "view_event", "view_establishment", "view_legalunit"} <= codenames
    assert not codenames & {
        "manage_staff",
        "change_workspace",
        "delete_structure",
        "change_group",
        "view_sireneimport",
        "change_event",
        "change_establishment",
    }


def test_moderators_edit_news_in_both_languages(moderator_client):
    response = moderator_client.post(
        reverse("admin:news_news_add"),
        {
            "published_on": "2026-11-23",
            "is_published": "on",
            "title_fr": "Nouvelle version",
            "body_fr": "Texte en français",
            "title_en": "New release",
            "body_en": "English text",
        },
    )
    assert response.status_code == 302
    assert News.objects.get().title_en == "New release"
    news = NewsFactory()
    assert moderator_client.get(reverse("admin:news_news_delete", args=[news.pk])).status_code == 403


def test_the_workspace_catalogue_is_for_administrators(moderator_client, administrator_client):
    workspace = Workspace.objects.first() or Workspace.objects.create(
        code="factures-emises",
        label_fr="Factures émises",
        label_en="Issued invoices",
        description_fr="d",
        description_en="d",
    )
    url = reverse("admin:workspaces_workspace_change", args=[workspace.pk])
    data = {
        "position": 3,
        "is_default": "on",
        "is_available": "on",
        "label_fr": "Factures émises",
        "description_fr": "Déposer et suivre vos factures",
        "label_en": "Issued invoices",
        "description_en": "Submit and follow your invoices",
    }
    assert moderator_client.get(url).status_code == 200  # view only
    assert moderator_client.post(url, data).status_code == 403
    assert administrator_client.post(url, data).status_code == 302
    workspace.refresh_from_db()
    assert workspace.description_en == "Submit and follow your invoices"


def test_moderators_cannot_manage_staff_groups(moderator_client, administrator_client):
    assert moderator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert administrator_client.get(reverse("admin:auth_group_changelist")).status_code == 200


def test_a_staff_member_without_the_permission_cannot_moderate(client):
    viewer = saved_user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_structure"))
    client.force_login(viewer, backend=MODEL_BACKEND)
    structure = StructureFactory()
    url = reverse("admin:structures_structure_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert 'value="verify"' not in response.content.decode()
    response = client.post(url, {"action": "verify", "index": 0, "_selected_action": [structure.pk]})
    structure.refresh_from_db()
    assert structure.moderation == "TO_REVIEW"
    assert not ModerationAction.objects.exists()
    appoint = reverse("admin:structures_structure_appoint_primary_manager", args=[structure.pk])
    assert client.get(appoint).status_code == 403


@pytest.mark.parametrize("language", ["fr", "en"])
def test_admin_index_in_both_languages(administrator_client, language):
    response = administrator_client.get(f"/{language}/admin/")
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    text = {"fr": "Historique de modération", "en": "Moderation history"}[language]
    assert text in response.content.decode()
