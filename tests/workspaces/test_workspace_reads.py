"""The connected pages' workspace reads: the catalogue from the shared cache (cleared when a workspace is saved or
deleted) and the user's workspace codes read with the attachment counts, in one statement (written out: checked
here against the ORM on SQLite and PostgreSQL)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.selectors import user_workspace_choices
from structures.models import StructureWorkspace
from structures.selectors import user_attachment_summary, user_workspaces
from tests.factories import MembershipFactory, StructureFactory, UserFactory
from workspaces.models import Workspace, WorkspaceActivation
from workspaces.selectors import workspace_catalogue, workspace_catalogue_cached
from workspaces.services import workspace_activations_set


def _open_on(structure, *codes, is_active=True):
    for code in codes:
        StructureWorkspace.objects.create(structure=structure, workspace_id=code, is_active=is_active)


def test_the_catalogue_is_read_from_the_cache_once_filled(django_assert_num_queries):
    expected = [workspace.code for workspace in workspace_catalogue()]
    assert [workspace.code for workspace in workspace_catalogue_cached()] == expected
    with django_assert_num_queries(1):  # a cache read
        catalogue = workspace_catalogue_cached()
    assert [workspace.code for workspace in catalogue] == expected
    assert [workspace.label_en for workspace in catalogue] == [w.label_en for w in workspace_catalogue()]


def test_a_saved_or_deleted_workspace_clears_the_cached_catalogue():
    workspace_catalogue_cached()
    workspace = Workspace.objects.get(code="commitments")
    workspace.label_fr = "Engagements de l'État"
    workspace.save()
    assert {w.code: w.label_fr for w in workspace_catalogue_cached()}[
        "commitments"
    ] == "Engagements de l'État"

    workspace.is_available = False
    workspace.save()
    assert "commitments" not in {w.code for w in workspace_catalogue_cached()}

    Workspace.objects.create(code="new-area", label_fr="Nouvel espace", label_en="New area", position=99)
    assert workspace_catalogue_cached()[-1].code == "new-area"
    Workspace.objects.get(code="new-area").delete()
    assert "new-area" not in {w.code for w in workspace_catalogue_cached()}


def test_an_empty_catalogue_is_not_kept():
    WorkspaceActivation.objects.all().delete()
    Workspace.objects.all().delete()
    assert workspace_catalogue_cached() == []
    Workspace.objects.create(code="later", label_fr="Plus tard", label_en="Later")
    assert [workspace.code for workspace in workspace_catalogue_cached()] == ["later"]


def test_the_users_workspace_codes_and_counts_in_one_query(django_assert_num_queries):
    user, other = UserFactory(), UserFactory()
    workspace_activations_set(user=user, codes=["issued-invoices", "commitments", "work-invoices"])
    workspace_activations_set(user=user, codes=["issued-invoices", "commitments"])  # work-invoices closed
    workspace_activations_set(user=other, codes=["ict-refund-requests"])
    mine, left, theirs = StructureFactory(), StructureFactory(), StructureFactory()
    MembershipFactory(user=user, structure=mine, secondary=True)
    MembershipFactory(user=user, structure=left, is_active=False)
    MembershipFactory(user=other, structure=theirs)
    _open_on(mine, "commitments", "invoices-to-validate")
    _open_on(mine, "work-invoices", is_active=False)
    _open_on(left, "ict-refund-requests")
    _open_on(theirs, "ict-refund-requests")
    workspace_catalogue_cached()

    Workspace.objects.filter(code="issued-invoices").update(position=999)  # last in the menu
    with django_assert_num_queries(1):  # the counts with the codes and the open workspaces' labels
        workspaces = user_workspaces(user=user)
        summary = user_attachment_summary(user=user)
        assert user_workspaces(user=user) is workspaces  # once per request: kept on the user object
    assert (summary.attachments, summary.managed) == (1, 1)
    assert workspaces.open_codes == {"issued-invoices", "commitments"}
    assert workspaces.structure_codes == {"commitments", "invoices-to-validate"}
    # What the ORM reads (the menu's former query), in the catalogue's order, with the labels of each language.
    expected = list(workspace_catalogue().filter(activations__user=user, activations__is_active=True))
    assert (
        [w.code for w in workspaces.open] == [w.code for w in expected] == ["commitments", "issued-invoices"]
    )
    for language in ("fr", "en"):
        with translation.override(language):
            assert [w.label for w in workspaces.open] == [w.label for w in expected]
    assert workspaces.structure_codes == set(
        StructureWorkspace.objects.filter(
            is_active=True, structure__memberships__user=user, structure__memberships__is_active=True
        ).values_list("workspace_id", flat=True)
    )

    choices = user_workspace_choices(user=user)
    assert choices.open_codes == {"issued-invoices", "commitments"}
    assert choices.allowed_codes == {
        "sent-requests",
        "issued-invoices",
        "commitments",
        "invoices-to-validate",
    }

    fresh_user = UserFactory._meta.model.objects.get(pk=user.pk)
    user_attachment_summary(user=fresh_user)
    with django_assert_num_queries(0):  # the codes came with the counts
        assert user_workspaces(user=fresh_user).open_codes == {"issued-invoices", "commitments"}
    # A workspace withdrawn from the catalogue stays open for the user but leaves the menu.
    Workspace.objects.filter(code="commitments").update(is_available=False)
    withdrawn = user_workspaces(user=UserFactory._meta.model.objects.get(pk=user.pk))
    assert [w.code for w in withdrawn.open] == ["issued-invoices"]
    assert withdrawn.open_codes == {"issued-invoices", "commitments"}


def test_a_user_without_rows_has_no_codes():
    user = UserFactory()
    workspaces = user_workspaces(user=user)
    assert workspaces.open_codes == workspaces.structure_codes == frozenset() and workspaces.open == []
    assert user_attachment_summary(user=user).attachments == 0


def test_fresh_reads_the_codes_again():
    user = UserFactory()
    assert user_workspaces(user=user).open_codes == frozenset()
    workspace_activations_set(user=user, codes=["commitments"])
    assert user_workspaces(user=user).open_codes == frozenset()  # read once per request
    with CaptureQueriesContext(connection) as queries:
        assert user_workspaces(user=user, fresh=True).open_codes == {"commitments"}
    assert len(queries) == 1  # the statement of the connected pages
    assert user_workspaces(user=user).open_codes == {"commitments"}
