"""Public structure search, the attachment requests of "Mon Compte" and "Activités du gestionnaire".
Thin views: parse, call one service, redirect or render. The services check the actor's role."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from chorus_portal.pagination import CappedCountPaginator
from structures import selectors, services
from structures.forms import (
    AttachmentRequestForm,
    AttachmentSearchForm,
    DecisionForm,
    LeaveForm,
    OptionalServiceForm,
    PublicSearchForm,
    ServiceForm,
    ServiceUpdateForm,
    StructureCreateForm,
    StructureEditForm,
    StructureWorkspacesForm,
)
from structures.models import IdentifierType, Membership, Role, Structure

SEARCH_PAGE_SIZE = 10
ATTACHMENT_SEARCH_PAGE_SIZE = 5  # "5 lignes par page" (seed 003)
EXPORT_LIMIT = 5000


def _page(request, queryset, size, param="page", paginator=Paginator):
    return paginator(queryset, size).get_page(request.GET.get(param))


class PublicSearchPaginator(CappedCountPaginator):
    """The public search counts at most 1,000 results ("Plus de 1 000 structures trouvées : affinez votre
    recherche"): a postal code or a city matches thousands of structures, and counting them all cost more than
    showing the first page (bench/directory.py). The first 100 pages stay reachable."""

    cap = 1_000


def _error_text(error):
    return " ".join(error.messages)


# --- public structure search --------------------------------------------------------------------------------------


@require_GET
def structure_search(request):
    """ "Rechercher une structure publique", for everyone."""
    form = PublicSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        page = _page(
            request,
            selectors.structures_public_search_results(query=form.cleaned_data["q"]),
            SEARCH_PAGE_SIZE,
            paginator=PublicSearchPaginator,
        )
    return render(
        request, "structures/search.html", {"form": form, "page_obj": page, "export_limit": EXPORT_LIMIT}
    )


@require_GET
def structure_search_export(request):
    """ "Exporter les résultats": the result of the search as CSV (semicolons, for spreadsheets in French), in the
    order of the pages, streamed as it is read. At most EXPORT_LIMIT rows: the first 500 pages of the search; the
    search page says so when the result is larger (its count stops at PublicSearchPaginator.cap)."""
    form = PublicSearchForm(request.GET)
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return redirect("structure_search")
    rows = selectors.structures_public_search(query=form.cleaned_data["q"]).values_list(
        "identifier", "corporate_name", "label", "postal_code", "city"
    )[:EXPORT_LIMIT]
    header = [_("Identifier"), _("Corporate name"), _("Structure label"), _("Postal code"), _("City")]
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(header)  # the BOM: spreadsheet programs then read UTF-8
        for identifier, corporate_name, label, postal_code, city in rows.iterator(chunk_size=1000):
            yield writer.writerow(
                [identifier, _csv_safe(corporate_name), _csv_safe(label), postal_code, _csv_safe(city)]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="structures-publiques.csv"'
    return response


class _Echo:
    """A file-like object whose write() returns the line: csv.writer then hands each line to the stream."""

    def write(self, value):
        return value


def _csv_safe(value):
    """Neutralise spreadsheet formulas in free text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


# --- the requester's side -----------------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_search(request):
    """ "Demander un rattachement à une structure": search with the criteria of seed 003."""
    form = AttachmentSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        page = _page(
            request,
            selectors.structures_attachable_search(user=request.user, criteria=form.cleaned_data),
            ATTACHMENT_SEARCH_PAGE_SIZE,
        )
    return render(request, "structures/attachment_search.html", {"form": form, "page_obj": page})


@login_required
def attachment_request_new(request, structure_id):
    """Choose the scope (whole structure or some services) and send the request."""
    structure = get_object_or_404(
        Structure.objects.exclude(moderation=Structure.Moderation.SUSPENDED), pk=structure_id
    )
    available = selectors.structure_active_services(structure=structure)
    form = AttachmentRequestForm(request.POST or None, services=available)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_request_create(
                user=request.user,
                structure=structure,
                scope=form.cleaned_data["scope"],
                services=form.cleaned_data.get("services") or [],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("account")
        messages.success(
            request,
            _("Your attachment request to %(structure)s has been sent to its managers.")
            % {"structure": structure.display_name},
        )
        return redirect(reverse("account") + "#attachments")
    return render(request, "structures/attachment_request_new.html", {"form": form, "structure": structure})


@login_required
@require_POST
def attachment_request_cancel(request, request_id):
    try:
        services.attachment_request_cancel(request_id=request_id, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your attachment request has been cancelled."))
    return redirect(reverse("account") + "#attachments")


@login_required
@require_POST
def attachment_request_remind(request, request_id):
    try:
        services.attachment_request_remind(request_id=request_id, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The primary manager has been reminded of your request."))
    return redirect(reverse("account") + "#attachments")


@login_required
@require_POST
def memberships_leave(request):
    """ "Supprimer rattachements": detach oneself from the selected structures."""
    ids = list(selectors.user_memberships(user=request.user).values_list("pk", flat=True))
    form = LeaveForm(request.POST, membership_ids=ids)
    if not form.is_valid():
        messages.error(request, _("Select at least one attachment."))
        return redirect(reverse("account") + "#attachments")
    try:
        left = services.memberships_leave(user=request.user, membership_ids=form.cleaned_data["memberships"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("You are no longer attached to: %(structures)s.")
            % {"structures": ", ".join(m.structure.display_name for m in left)},
        )
    return redirect(reverse("account") + "#attachments")


# --- "Activités du gestionnaire" ----------------------------------------------------------------------------------


def _manager_page_context(request, decision_form=None):
    pending = list(selectors.manager_pending_requests(user=request.user))
    return {
        "pending_requests": pending,
        "managed": list(selectors.managed_memberships(user=request.user)),
        "decision_form": decision_form or DecisionForm(request_ids=[r.pk for r in pending]),
    }


@login_required
@require_GET
def manager(request):
    context = _manager_page_context(request)
    if not context["managed"]:
        return render(request, "structures/manager_none.html", status=403)
    return render(request, "structures/manager.html", context)


@login_required
@require_POST
def manager_decide(request):
    """ "Valider" or "Refuser" the selected requests, with an optional reason."""
    ids = list(selectors.manager_pending_requests(user=request.user).values_list("pk", flat=True))
    form = DecisionForm(request.POST, request_ids=ids)
    if not form.is_valid():
        if "requests" in form.errors and set(request.POST.getlist("requests")) - {str(pk) for pk in ids}:
            messages.warning(request, _("These requests have already been decided by another manager."))
            return redirect("manager")
        return render(request, "structures/manager.html", _manager_page_context(request, form), status=400)
    approve = form.cleaned_data["decision"] == "approve"
    decided, skipped = account_services.user_attachment_requests_decide(
        request_ids=form.cleaned_data["requests"],
        by=request.user,
        approve=approve,
        reason=form.cleaned_data["reason"],
    )
    if decided:
        messages.success(request, _decision_message(decided, approve))
    if skipped:
        messages.warning(request, _("These requests have already been decided by another manager."))
    return redirect("manager")


def _decision_message(count, approve):
    if approve:
        text = ngettext("%(count)s request approved.", "%(count)s requests approved.", count)
    else:
        text = ngettext("%(count)s request refused.", "%(count)s requests refused.", count)
    return text % {"count": count}


def _managed_structure(request, structure_id):
    membership = (
        Membership.objects.filter(
            user=request.user,
            structure_id=structure_id,
            is_active=True,
            role__in=[Role.PRIMARY_MANAGER, Role.SECONDARY_MANAGER],
        )
        .select_related("structure")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


@login_required
def manager_structure(request, structure_id):
    """One managed structure: its users and their roles, its services, its workspaces, the history of
    decisions."""
    membership = _managed_structure(request, structure_id)
    structure = membership.structure
    service_form = ServiceForm(request.POST or None)
    if request.method == "POST" and service_form.is_valid():
        try:
            services.service_create(
                structure=structure,
                by=request.user,
                code=service_form.cleaned_data["code"],
                name=service_form.cleaned_data["name"],
            )
        except ValidationError as error:
            service_form.add_error("code", error)
        else:
            messages.success(request, _("The service has been added."))
            return redirect("manager_structure", structure_id=structure.pk)
    return _manager_structure_page(
        request, membership, service_form=service_form, status=400 if service_form.errors else 200
    )


def _manager_structure_page(request, membership, *, service_form=None, workspaces_form=None, status=200):
    structure = membership.structure
    decisions = _page(request, selectors.structure_decisions(structure=structure), 10)
    return render(
        request,
        "structures/manager_structure.html",
        {
            "structure": structure,
            "my_membership": membership,
            "is_primary": membership.role == Role.PRIMARY_MANAGER,
            "members": list(selectors.structure_members(structure=structure)),
            "services": list(selectors.structure_services(structure=structure)),
            "service_form": service_form or ServiceForm(),
            "workspaces_form": workspaces_form
            or StructureWorkspacesForm(rows=selectors.structure_workspace_rows(structure=structure)),
            "page_obj": decisions,
        },
        status=status,
    )


@login_required
@require_POST
def manager_structure_workspaces(request, structure_id):
    """« Liste des espaces de la structure » → Valider: open and close the structure's workspaces."""
    membership = _managed_structure(request, structure_id)
    structure = membership.structure
    form = StructureWorkspacesForm(request.POST, rows=selectors.structure_workspace_rows(structure=structure))
    if form.is_valid():
        try:
            change = services.structure_workspaces_set(
                by=request.user, structure=structure, codes=form.cleaned_data["workspaces"]
            )
        except ValidationError as error:
            form.add_error("workspaces", error)
        else:
            messages.success(request, _workspaces_message(change))
            return redirect(
                reverse("manager_structure", kwargs={"structure_id": structure.pk}) + "#workspaces"
            )
    return _manager_structure_page(request, membership, workspaces_form=form, status=400)


def _workspaces_message(change):
    if not change.changed:
        return _("The workspaces of the structure are unchanged.")
    text = _("The workspaces of the structure have been updated: its users can open them in “My account”.")
    if change.withdrawn:
        text += " " + ngettext(
            "The closed workspaces were closed for %(count)s user who had them through this structure only.",
            "The closed workspaces were closed for %(count)s users who had them through this structure only.",
            change.withdrawn,
        ) % {"count": change.withdrawn}
    return text


def _member_action(request, structure_id, membership_id, action, success):
    structure = _managed_structure(request, structure_id).structure
    try:
        action(structure=structure, membership_id=membership_id, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    return redirect(reverse("manager_structure", kwargs={"structure_id": structure.pk}) + "#members")


@login_required
@require_POST
def manager_member_role(request, structure_id, membership_id):
    role = request.POST.get("role")
    if role not in (Role.SECONDARY_MANAGER, Role.USER):
        role = Role.USER

    def action(**kwargs):
        return services.membership_role_set(role=role, **kwargs)

    return _member_action(request, structure_id, membership_id, action, _("The role has been changed."))


@login_required
@require_POST
def manager_member_detach(request, structure_id, membership_id):
    return _member_action(
        request, structure_id, membership_id, services.membership_detach, _("The user has been detached.")
    )


@login_required
@require_POST
def manager_member_resend(request, structure_id, membership_id):
    return _member_action(
        request,
        structure_id,
        membership_id,
        account_services.user_member_activation_resend,
        _("The activation email has been sent again."),
    )


@login_required
@require_POST
def manager_transfer(request, structure_id, membership_id):
    return _member_action(
        request,
        structure_id,
        membership_id,
        services.primary_manager_transfer,
        _("The primary manager role has been transferred. You are now secondary manager."),
    )


@login_required
@require_POST
def manager_service_update(request, structure_id, service_id):
    structure = _managed_structure(request, structure_id).structure
    form = ServiceUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the service name."))
    else:
        try:
            services.service_update(
                structure=structure,
                service_id=service_id,
                by=request.user,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The service has been updated."))
    return redirect(reverse("manager_structure", kwargs={"structure_id": structure.pk}) + "#services")


# --- "+ Saisir une nouvelle structure" ----------------------------------------------------------------------------


def _sirene_for(identifier_type, identifier):
    """The SIRENE answer for a SIRET (None when it is not a valid SIRET), read-only pre-fill of the form."""
    from structures.identifiers import validate_identifier
    from structures.sirene import lookup_siret

    if identifier_type != IdentifierType.SIRET:
        return None
    try:
        siret = validate_identifier(identifier_type, identifier)
    except ValidationError:
        return None
    return lookup_siret(siret)


@login_required
def structure_create(request):
    """ "Saisie nouvelle structure": the user creates their (private) structure and becomes its primary manager."""
    from structures.sirene import SireneStatus

    source = request.POST if request.method == "POST" else request.GET
    identifier_type = source.get("identifier_type") or IdentifierType.SIRET
    identifier = source.get("identifier", "")
    answer = _sirene_for(identifier_type, identifier)
    found = answer if answer is not None and answer.status == SireneStatus.FOUND else None
    initial = {"identifier_type": identifier_type, "identifier": identifier}
    form = StructureCreateForm(request.POST or None, initial=initial, sirene=found)
    if request.method == "POST" and form.is_valid():
        if answer is not None and answer.status in (SireneStatus.UNKNOWN, SireneStatus.CLOSED):
            form.add_error(
                "identifier",
                _("This SIRET is unknown to the SIRENE directory.")
                if answer.status == SireneStatus.UNKNOWN
                else _("This establishment is closed in the SIRENE directory: it cannot be created."),
            )
        else:
            data = dict(form.cleaned_data)
            try:
                structure = account_services.user_structure_create(
                    user=request.user,
                    is_non_diffusible=bool(found and found.is_non_diffusible),
                    **data,
                )
            except ValidationError as error:
                if error.code != "exists":
                    raise
                messages.info(
                    request,
                    _(
                        "This structure already exists in the portal: request an attachment to it. Its primary "
                        "manager will decide."
                    ),
                )
                query = {"identifier": data["identifier"], "identifier_type": data["identifier_type"]}
                return redirect(reverse("attachment_search") + "?" + urlencode(query))
            # Seed 003: "Enregistrer" saves the structure; further blocks, the billing mandate, then done.
            return redirect("structure_create_blocks", structure_id=structure.pk)
    return render(
        request,
        "structures/structure_create.html",
        {
            "form": form,
            "sirene_found": found is not None,
            "sirene_unavailable": answer is not None and answer.status == SireneStatus.UNAVAILABLE,
        },
        status=400 if form.errors else 200,
    )


def _created_structure(request, structure_id):
    """The structure the user has just created (they are its active primary manager), else 404."""
    return get_object_or_404(
        Membership.objects.select_related("structure"),
        user=request.user,
        structure_id=structure_id,
        is_active=True,
        role=Role.PRIMARY_MANAGER,
    ).structure


@login_required
@require_http_methods(["GET", "POST"])
def structure_create_blocks(request, structure_id):
    """After "Enregistrer": the saved structure and the further blocks (its workspaces, a first service), to
    complete now or later; "Valider" saves them and leads to the billing mandate."""
    structure = _created_structure(request, structure_id)
    data = request.POST if request.method == "POST" else None
    workspaces_form = StructureWorkspacesForm(
        data, rows=selectors.structure_workspace_rows(structure=structure)
    )
    service_form = OptionalServiceForm(data, prefix="service")
    if data is not None and workspaces_form.is_valid() and service_form.is_valid():
        try:
            services.structure_create_blocks_save(
                by=request.user,
                structure=structure,
                workspace_codes=workspaces_form.cleaned_data["workspaces"],
                service_code=service_form.cleaned_data["code"],
                service_name=service_form.cleaned_data["name"],
            )
        except ValidationError as error:
            if error.code == "duplicate":
                service_form.add_error("code", error)
            else:
                workspaces_form.add_error("workspaces", error)
        else:
            messages.success(request, _("The blocks of the structure have been saved."))
            return redirect("structure_create_mandate", structure_id=structure.pk)
    return render(
        request,
        "structures/structure_create_blocks.html",
        {
            "structure": structure,
            "services": list(selectors.structure_services(structure=structure)),
            "workspaces_form": workspaces_form,
            "service_form": service_form,
            "step": 2,
        },
        status=400 if workspaces_form.errors or service_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_create_mandate(request, structure_id):
    """ "Souscrire un mandat de facturation" (optional), then "Continuer"."""
    structure = _created_structure(request, structure_id)
    if request.method == "POST":
        services.structure_billing_mandate_subscribe(structure=structure, by=request.user)
        messages.success(request, _("The billing mandate has been subscribed."))
        return redirect("structure_create_mandate", structure_id=structure.pk)
    return render(request, "structures/structure_create_mandate.html", {"structure": structure, "step": 3})


@login_required
@require_GET
def structure_created(request, structure_id):
    structure = _created_structure(request, structure_id)
    return render(request, "structures/structure_created.html", {"structure": structure})


@login_required
def manager_structure_edit(request, structure_id):
    structure = _managed_structure(request, structure_id).structure
    form = StructureEditForm(request.POST or None, initial=StructureEditForm.initial_for(structure))
    if request.method == "POST" and form.is_valid():
        services.structure_update(structure=structure, by=request.user, **form.cleaned_data)
        messages.success(request, _("The structure has been updated."))
        return redirect("manager_structure", structure_id=structure.pk)
    return render(
        request,
        "structures/manager_structure_edit.html",
        {"form": form, "structure": structure},
        status=400 if form.errors else 200,
    )
