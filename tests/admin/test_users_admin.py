import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from structures.models import ModerationAction
from tests.admin.conftest import saved_user
from tests.factories import UserFactory

CHANGELIST = "admin:accounts_user_changelist"


def lock_out(email):
    return AccessAttempt.objects.create(
        username=email,
        ip_address="127.0.0.1",
        user_agent="test",
        attempt_time=timezone.now(),
        get_data="",
        post_data="",
        failures_since_start=5,
    )


def post_action(client, action, *users, follow=False):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "index": 0, "_selected_action": [u.pk for u in users]},
        follow=follow,
    )


def listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "jean.martin"}, "martin"),
        ({"q": "MARTIN"}, "martin"),
        ({"activated": "no"}, "not_activated"),
        ({"locked_out": "yes"}, "locked"),
        ({"is_active__exact": "0"}, "inactive"),
    ],
)
def test_search_and_filters(moderator_client, params, expected):
    users = {
        "martin": UserFactory(email="jean.martin@exemple.fr", last_name="MARTIN"),
        "not_activated": UserFactory(not_activated=True),
        "locked": UserFactory(),
        "inactive": UserFactory(is_active=False),
    }
    lock_out(users["locked"].email.upper())
    response = moderator_client.get(reverse(CHANGELIST), params)
    assert listed(response) == {users[expected].pk}


def test_user_page_never_shows_the_password_hash_nor_the_secret_answer(moderator_client):
    user = saved_user(secret_question="Nom de votre premier animal ?", secret_answer="md5$sel$reponsehachee")
    response = moderator_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert user.password not in content and "md5$" not in content
    assert "reponsehachee" not in content
    assert 'name="is_staff"' not in content  # moderators do not grant staff rights


def test_moderators_cannot_set_a_password_nor_add_accounts_but_administrators_can(
    moderator_client, administrator_client, client
):
    user = UserFactory()
    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    assert moderator_client.get(password_url).status_code == 403
    assert moderator_client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert administrator_client.get(password_url).status_code == 200
    response = administrator_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert 'name="is_staff"' in response.content.decode()


def test_resend_activation(moderator_client, moderator, mailoutbox, django_capture_on_commit_callbacks):
    waiting = UserFactory(not_activated=True, email="en.attente@exemple.fr")
    activated = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(moderator_client, "resend_activation", waiting, activated, follow=True)
    assert [m.to for m in mailoutbox] == [["en.attente@exemple.fr"]]
    messages = [str(m) for m in response.context["messages"]]
    assert any("déjà activé" in m for m in messages), messages
    record = ModerationAction.objects.get(action=ModerationAction.Action.USER_ACTIVATION_RESEND)
    assert (record.actor, record.user) == (moderator, waiting)


def test_unlock(moderator_client, moderator):
    user = UserFactory(email="bloque@exemple.fr")
    lock_out("Bloque@Exemple.fr")
    lock_out("bloque@exemple.fr")
    other = lock_out("autre@exemple.fr")
    post_action(moderator_client, "unlock", user)
    assert list(AccessAttempt.objects.all()) == [other]
    record = ModerationAction.objects.get(action=ModerationAction.Action.USER_UNLOCK)
    assert (record.actor, record.user, record.details["failure_records_removed"]) == (moderator, user, 2)


def test_deactivate(moderator_client, moderator):
    user = UserFactory()
    superuser = UserFactory(is_superuser=True, is_staff=True)
    response = post_action(moderator_client, "deactivate", user, superuser, moderator, follow=True)
    user.refresh_from_db()
    superuser.refresh_from_db()
    moderator.refresh_from_db()
    assert not user.is_active
    assert superuser.is_active and moderator.is_active
    assert len(list(response.context["messages"])) == 3
    assert ModerationAction.objects.filter(action=ModerationAction.Action.USER_DEACTIVATE).count() == 1


def test_accounts_are_never_deleted(administrator_client):
    user = UserFactory()
    assert administrator_client.get(reverse("admin:accounts_user_delete", args=[user.pk])).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_changelist_queries_do_not_grow_with_rows(moderator_client):
    def queries_for_the_page():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(
                reverse(CHANGELIST), {"q": "fournisseur", "is_active__exact": "1"}
            )
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    def add_users(count):
        for index in range(count):
            user = UserFactory()
            if index % 3 == 0:
                lock_out(user.email)

    add_users(20)
    few = queries_for_the_page()
    add_users(180)
    many = queries_for_the_page()
    assert (few[1], many[1]) == (20, 100)
    # The rows shown add no query; only a full page runs the (capped) count: the rows of a list that fits on its
    # page are its count (chorus_portal.admin.FastChangeList.get_results).
    assert few[0] + 1 == many[0] <= 9
