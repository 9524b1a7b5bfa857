"""Reads compiled once per process (chorus_portal/queries.py): the logged-in user and the account of an emailed link.
Run on SQLite and on PostgreSQL by `make test`: the instances must be those the ORM returns, converters included."""

import html

import pytest
from django.conf import settings
from django.core import signing
from django.db.models import Count
from django.forms.models import model_to_dict
from django.urls import reverse

from accounts.models import User
from accounts.tokens import activation_tokens
from chorus_portal.queries import PreparedRead
from structures.selectors import user_memberships, user_memberships_page
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db

user_by_email = PreparedRead(User, lambda email: User.objects.filter(email=email, is_active=True), email=str)
verified_by_pk = PreparedRead(
    User, lambda pk: User.objects.filter(pk=pk, email_verified_at__isnull=False).order_by("pk"), pk=int
)


def _fields(user):
    return {**model_to_dict(user), "date_joined": user.date_joined, "last_login": user.last_login}


def test_the_instances_are_those_of_the_orm_every_field_and_type():
    user = UserFactory(phone="+33 1 23 45 67 89", survey_consent=True, city="PARIS 12")
    user.refresh_from_db()
    prepared = verified_by_pk.first(pk=user.pk)
    orm = User.objects.get(pk=user.pk)
    assert _fields(prepared) == _fields(orm)
    assert type(prepared.date_joined) is type(orm.date_joined) and prepared.date_joined.tzinfo is not None
    assert prepared.survey_consent is True and prepared.email_verified_at == orm.email_verified_at
    assert prepared._state.adding is False and prepared._state.db == "default"
    prepared.first_name = "Léa"
    prepared.save(update_fields=["first_name"])  # a real instance: saved as any other
    assert User.objects.get(pk=user.pk).first_name == "Léa"


def test_the_values_change_from_call_to_call_and_the_constants_stay():
    verified, other = UserFactory(email="léa@example.fr"), UserFactory()
    not_activated = UserFactory(not_activated=True)
    assert verified_by_pk.first(pk=verified.pk) == verified
    assert verified_by_pk.first(pk=other.pk) == other
    assert verified_by_pk.first(pk=not_activated.pk) is None  # the queryset's own condition holds
    assert user_by_email.all(email="léa@example.fr") == [verified]
    assert user_by_email.all(email="nobody@example.fr") == []


def test_the_annotations_are_set_on_the_instances_as_by_the_orm():
    with_memberships, without = UserFactory(), UserFactory()
    MembershipFactory.create_batch(2, user=with_memberships)
    counted = PreparedRead(
        User, lambda pk: User.objects.filter(pk=pk).annotate(n=Count("memberships")), pk=int
    )
    for user in (with_memberships, without):
        orm = User.objects.annotate(n=Count("memberships")).get(pk=user.pk)
        assert counted.first(pk=user.pk).n == orm.n
    assert [counted.first(pk=user.pk).n for user in (with_memberships, without)] == [2, 0]


def test_a_value_out_of_any_integer_column_finds_nothing_without_error():
    UserFactory()
    assert verified_by_pk.first(pk=2**80) is None
    assert verified_by_pk.first(pk=-(2**80)) is None
    assert verified_by_pk.count(pk=2**80, limit=5) == 0


def test_a_queryset_that_does_not_pass_its_value_through_is_refused():
    with pytest.raises(TypeError, match="unchanged"):
        PreparedRead(User, lambda pk: User.objects.filter(pk=pk + 1), pk=int).first(pk=1)
    with pytest.raises(TypeError, match="unsliced"):
        PreparedRead(User, lambda pk: User.objects.filter(pk=pk)[:5], pk=int).first(pk=1)
    with pytest.raises(TypeError, match="unsliced"):
        PreparedRead(User, lambda pk: User.objects.filter(pk=pk).extra(select={"n": "1"}), pk=int).all(pk=1)
    with pytest.raises(TypeError, match="offset needs a limit"):
        verified_by_pk.all(pk=1, offset=5)
    with pytest.raises(TypeError, match="int, str or datetime"):
        PreparedRead(User, lambda day: User.objects.filter(date_joined__date=day), day=object)


def test_a_logged_in_user_is_read_back_and_a_deactivated_account_is_logged_out(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == settings.AUTHENTICATION_BACKENDS[-1]
    response = client.get(reverse("account"))
    assert response.status_code == 200 and response.context["user"] == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get(reverse("account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_link_naming_no_integer_user_opens_the_invalid_link_page(client):
    # Signed with the portal's own key and salt, as only the portal can: the id is a boolean, then a huge number.
    for forged in (True, 2**80, "1"):
        token = signing.dumps({"u": forged, "s": ""}, salt=activation_tokens.salt)
        response = client.get(reverse("activate", args=[token]))
        assert response.status_code == 400
        assert "Ce lien n'est pas valide." in html.unescape(response.text)


def test_a_values_list_read_returns_its_rows():
    first, second = UserFactory(last_name="MARTIN"), UserFactory(last_name="MARTIN")
    names = PreparedRead(
        User,
        lambda name: User.objects.filter(last_name=name).order_by("-pk").values_list("pk", "date_joined"),
        name=str,
    )
    assert names.rows(name="MARTIN") == list(
        User.objects.filter(last_name="MARTIN").order_by("-pk").values_list("pk", "date_joined")
    )
    assert [pk for pk, _ in names.rows(name="MARTIN")] == [second.pk, first.pk]
    assert names.count(name="MARTIN", limit=10) == 2 and names.count(name="MARTIN", limit=1) == 1
    assert names.count(name="DURAND", limit=10) == 0
    with pytest.raises(TypeError, match="rows"):
        names.all(name="MARTIN")
    with pytest.raises(TypeError, match="all"):
        verified_by_pk.rows(pk=first.pk)


def test_a_read_with_select_related_brings_each_instances_related_row_as_the_orm_does(
    django_assert_num_queries,
):
    user = UserFactory()
    names = ["Zénith", "ACME", "Boulangerie l'Aÿ", "acme bis", "Dupont & fils", "Ébénisterie", "MARTIN"]
    for name in names:
        MembershipFactory(user=user, structure=StructureFactory(corporate_name=name, label=f"<{name}>"))
    MembershipFactory(user=user, is_active=False)  # left: not among the attachments
    MembershipFactory()  # someone else's
    orm = list(user_memberships(user=user))
    assert len(orm) == len(names)
    with django_assert_num_queries(1):
        prepared = user_memberships_page(user=user, offset=0, limit=100)
        # The structures came with the memberships: reading them queries nothing more.
        structures = [membership.structure for membership in prepared]
    assert prepared == orm
    assert [model_to_dict(membership) for membership in prepared] == [model_to_dict(m) for m in orm]
    assert [model_to_dict(structure) for structure in structures] == [model_to_dict(m.structure) for m in orm]
    assert [s.created_at for s in structures] == [m.structure.created_at for m in orm]
    # A page at a time, as the ORM's slices.
    for offset, limit in [(0, 5), (5, 5), (3, 2), (6, 5), (10, 5)]:
        page = user_memberships_page(user=user, offset=offset, limit=limit)
        assert page == orm[offset : offset + limit]
        assert [m.structure.corporate_name for m in page] == [m.structure.corporate_name for m in orm][
            offset : offset + limit
        ]
    assert user_memberships_page(user=UserFactory(), offset=0, limit=5) == []


def test_mon_compte_pages_the_attachments_in_the_order_of_the_names(client):
    user = UserFactory()
    for name in ["Zénith", "ACME", "Boulangerie", "acme bis", "Dupont & fils", "Ébénisterie", "MARTIN"]:
        MembershipFactory(user=user, structure=StructureFactory(corporate_name=name))
    client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
    first = html.unescape(client.get(reverse("account")).text)
    second = html.unescape(client.get(reverse("account"), {"page": 2}).text)
    order = [membership.structure.corporate_name for membership in user_memberships(user=user)]
    assert all(name in first for name in order[:5]) and not any(name in first for name in order[5:])
    assert all(name in second for name in order[5:]) and not any(name in second for name in order[:5])
