import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory

from accounts.models import User
from structures.models import Structure
from tests.factories import MembershipFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL only"
)


def plan(queryset):
    with connection.cursor() as cursor:
        # On tiny test tables any plan is cheap: leave the planner only bitmap scans (which need an index
        # condition) to see which index can answer the search.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
    return queryset.explain()


def searched(model, user, term):
    request = RequestFactory().get("/")
    request.user = user
    model_admin = site._registry[model]
    queryset, _ = model_admin.get_search_results(request, model_admin.get_queryset(request), term)
    return queryset


def test_the_structure_search_uses_its_trigram_index():
    manager = MembershipFactory(
        primary=True, structure__corporate_name="BOULANGERIE DUPONT", structure__city="Brest"
    )
    queryset = searched(Structure, manager.user, "boulangerie brest")
    assert list(queryset) == [manager.structure]
    assert "structure_search_trgm" in plan(queryset)
    # The primary manager's email goes through user_email_trgm once there are many users (bench/admin_changelists.py).
    assert list(searched(Structure, manager.user, manager.user.email.upper())) == [manager.structure]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'user_email_trgm'")
        assert cursor.fetchone()


def test_the_user_search_uses_its_trigram_index():
    user = MembershipFactory(user__last_name="Lefèvre", user__first_name="Élodie").user
    queryset = searched(User, user, "élodie LEFÈVRE")
    assert list(queryset) == [user]
    assert "user_search_trgm" in plan(queryset)


def test_the_directory_searches_use_indexes():
    from structures.models import Establishment, LegalUnit

    LegalUnit.objects.create(siren="831285978", corporate_name="LE CHAT QUI PECHE")
    Establishment.objects.create(siret="83128597800019", legal_unit_id="831285978")
    user = MembershipFactory().user
    by_name = searched(LegalUnit, user, "le chat")
    assert [unit.siren for unit in by_name] == ["831285978"]
    assert "legal_unit_name_prefix" in plan(by_name)
    # Numbers are ranges of the primary keys; a name goes through the legal units' index first.
    for term in ("831285978", "le chat"):
        queryset = searched(Establishment, user, term)
        assert [e.siret for e in queryset] == ["83128597800019"]
        assert "structures_establishment_pkey" in plan(queryset)
