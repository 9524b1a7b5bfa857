from django.urls import path

from structures import views

urlpatterns = [
    path("structures/recherche/", views.structure_search, name="structure_search"),
    path("structures/recherche/export.csv", views.structure_search_export, name="structure_search_export"),
    path("mon-compte/rattachements/recherche/", views.attachment_search, name="attachment_search"),
    path(
        "mon-compte/rattachements/demande/<int:structure_id>/",
        views.attachment_request_new,
        name="attachment_request_new",
    ),
    path(
        "mon-compte/rattachements/<int:request_id>/annuler/",
        views.attachment_request_cancel,
        name="attachment_request_cancel",
    ),
    path(
        "mon-compte/rattachements/<int:request_id>/relancer/",
        views.attachment_request_remind,
        name="attachment_request_remind",
    ),
    path("mon-compte/rattachements/supprimer/", views.memberships_leave, name="memberships_leave"),
    path("mon-compte/structures/nouvelle/", views.structure_create, name="structure_create"),
    path(
        "mon-compte/structures/<int:structure_id>/blocs/",
        views.structure_create_blocks,
        name="structure_create_blocks",
    ),
    path(
        "mon-compte/structures/<int:structure_id>/mandat/",
        views.structure_create_mandate,
        name="structure_create_mandate",
    ),
    path(
        "mon-compte/structures/<int:structure_id>/creee/", views.structure_created, name="structure_created"
    ),
    path("gestionnaire/", views.manager, name="manager"),
    path("gestionnaire/decisions/", views.manager_decide, name="manager_decide"),
    path("gestionnaire/structures/<int:structure_id>/", views.manager_structure, name="manager_structure"),
    path(
        "gestionnaire/structures/<int:structure_id>/espaces/",
        views.manager_structure_workspaces,
        name="manager_structure_workspaces",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/modifier/",
        views.manager_structure_edit,
        name="manager_structure_edit",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/utilisateurs/<int:membership_id>/role/",
        views.manager_member_role,
        name="manager_member_role",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/utilisateurs/<int:membership_id>/detacher/",
        views.manager_member_detach,
        name="manager_member_detach",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/utilisateurs/<int:membership_id>/activation/",
        views.manager_member_resend,
        name="manager_member_resend",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/utilisateurs/<int:membership_id>/transfert/",
        views.manager_transfer,
        name="manager_transfer",
    ),
    path(
        "gestionnaire/structures/<int:structure_id>/services/<int:service_id>/",
        views.manager_service_update,
        name="manager_service_update",
    ),
]
