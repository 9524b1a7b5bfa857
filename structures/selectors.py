"""Reads of structures, attachments and event feeds, shaped so that each page runs a fixed number of queries."""

from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from django.db import connection
from django.db.models import Exists, F, Lookup, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Lower, StrIndex
from django.db.models.lookups import GreaterThan

from chorus_portal.pagination import PagedRows
from chorus_portal.queries import PreparedRead
from structures.models import (
    PUBLIC_SEARCH,
    AttachmentRequest,
    Event,
    Membership,
    Role,
    Service,
    Structure,
    StructureWorkspace,
    search_normalise,
)
from workspaces.models import Workspace, WorkspaceActivation
from workspaces.selectors import workspace_catalogue, workspace_catalogue_cached

MANAGER_ROLES = (Role.PRIMARY_MANAGER, Role.SECONDARY_MANAGER)


# What the feed shows of the rows an event refers to (Event.text): the structure's name, the workspace's label, the
# names of the people. Not their other columns (a user's password hash, a structure's address).
_EVENT_FEED_FIELDS = (
    *(field.name for field in Event._meta.concrete_fields),
    "structure__corporate_name",
    "structure__label",
    "workspace__label_fr",
    "workspace__label_en",
    "actor__first_name",
    "actor__last_name",
    "subject__first_name",
    "subject__last_name",
)


def _events_of(user_id):
    return (
        Event.objects.filter(user=user_id)
        .select_related("structure", "workspace", "actor", "subject")
        .only(*_EVENT_FEED_FIELDS)
    )


# The page of the feed shown by the connected home, read on each of its displays.
_events_page = PreparedRead(Event, _events_of, user_id=int)


class EventFeed(PagedRows):
    """The user's "Fil d'événements", newest first, as a sequence a Paginator can page: its count comes with what
    every connected page reads of its user (``user_event_count``), a page is one prepared read."""

    def __init__(self, *, user):
        self.user = user

    def count(self):
        return user_event_count(user=self.user)

    def __len__(self):
        return self.count()

    def page(self, *, offset, limit):
        return _events_page.all(user_id=self.user.pk, offset=offset, limit=limit)


def event_feed(*, user) -> EventFeed:
    return EventFeed(user=user)


def user_is_manager(*, user):
    return Membership.objects.filter(user=user, is_active=True, role__in=MANAGER_ROLES).exists()


@dataclass(frozen=True)
class AttachmentSummary:
    """How many active attachments the user has (``managed``: as a manager), pending and closed requests."""

    attachments: int
    managed: int
    pending: int
    closed: int


def _table(model):
    """A model's table name, quoted for the database, for the statements written out below."""
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field):
    """A field's column name, quoted for the database."""
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _attachment_summary_sql(user):
    """Four counts in one statement, with the models' table and column names. Written out rather than built with
    the ORM: this read runs on every connected page, and compiling the same statement from querysets (four
    subqueries) costs ~3 ms of CPU per request here against ~0.1 ms for the statement itself (bench/RESULTS.md).
    ``user`` is the SQL of the user's id, in this builder and the next ones: ``%s`` (a parameter), or a column of
    an enclosing statement (``user_connected_json_sql``). The columns are named for that statement."""
    memberships, requests = _table(Membership), _table(AttachmentRequest)
    active = (
        f"FROM {memberships} WHERE {_column(Membership, 'user')} = {user} "
        f"AND {_column(Membership, 'is_active')} = %s"
    )
    of_user = f"FROM {requests} WHERE {_column(AttachmentRequest, 'user')} = {user}"
    return (
        f"SELECT 0 AS kind, NULL AS code, (SELECT COUNT(*) {active}) AS n1, "
        f"(SELECT COUNT(*) {active} AND {_column(Membership, 'role')} IN (%s, %s)) AS n2, "
        f"(SELECT COUNT(*) {of_user} AND {_column(AttachmentRequest, 'status')} = %s) AS n3, "
        f"(SELECT COUNT(*) {of_user} AND {_column(AttachmentRequest, 'status')} IN (%s, %s)) AS n4, "
        f"NULL AS t1, NULL AS t2, NULL AS t3, NULL AS t4"
    )


def _event_count_sql(user):
    """The count of the user's events as a row of kind 3 of ``_user_connected_read``."""
    count = f"(SELECT COUNT(*) FROM {_table(Event)} WHERE {_column(Event, 'user')} = {user})"  # noqa: S608
    return f"SELECT 3, NULL, {count}, 0, 0, 0, NULL, NULL, NULL, NULL"


def _catalogue_sql():
    """The workspaces of the catalogue (``workspace_catalogue``) as rows of kind 4 of ``_user_connected_read``."""
    code, position, default, label_fr, label_en, description_fr, description_en, available = (
        _column(Workspace, field)
        for field in (
            "code",
            "position",
            "is_default",
            "label_fr",
            "label_en",
            "description_fr",
            "description_en",
            "is_available",
        )
    )
    return (
        f"SELECT 4, {code}, {position}, CASE WHEN {default} THEN 1 ELSE 0 END, 0, 0, "  # noqa: S608
        f"{label_fr}, {label_en}, {description_fr}, {description_en} FROM {_table(Workspace)} WHERE {available} = %s"
    )


@cache
def _user_connected_sql(vendor, catalogue, user="%s"):
    """The statement of ``_user_connected_read``, written once per process for the database's ``vendor``, with
    the catalogue or without, the user's id as ``user`` (``_attachment_summary_sql``)."""
    sql = (
        f"{_attachment_summary_sql(user)} UNION ALL {_user_workspace_codes_sql(user)} "
        f"UNION ALL {_event_count_sql(user)}"
    )
    return f"{sql} UNION ALL {_catalogue_sql()}" if catalogue else sql


def _user_connected_params(user_id, *, catalogue):
    """The parameters of ``_user_connected_sql``, in their order: ``user_id`` where the user's id is a parameter,
    none where it is a column (``user_id`` None)."""
    user = [] if user_id is None else [user_id]
    return [
        *[*user, True, *user, True, *MANAGER_ROLES],  # attachments, managed
        *[*user, AttachmentRequest.Status.PENDING, *user, *CLOSED_STATUSES],  # pending, closed requests
        *[*user, True, *user, True, True],  # workspaces: the user's, their structures'
        *user,  # events
        *([True] if catalogue else []),
    ]


@cache
def _user_connected_json_sql(vendor, user_column):
    """``_user_connected_sql`` (with the catalogue) as one value: its rows as a JSON array of arrays."""
    columns = "kind, code, n1, n2, n3, n4, t1, t2, t3, t4"
    rows = (
        f"json_agg(json_build_array({columns}))"
        if vendor == "postgresql"
        else f"json_group_array(json_array({columns}))"
    )
    sql = _user_connected_sql(vendor, True, user_column)
    return (
        f"CASE WHEN {user_column} IS NULL THEN NULL "  # noqa: S608 (names from the models)
        f"ELSE (SELECT CAST({rows} AS TEXT) FROM ({sql}) connected_rows) END"
    )


def user_connected_json_sql(*, user_column):
    """(sql, params): what ``_user_connected_read`` reads (with the catalogue), as one value: its rows as JSON text,
    for the user whose id is ``user_column`` (quoted SQL) of an enclosing statement (NULL: no user, nothing read).
    The session read of a signed-in page (chorus_portal/sessions.py) selects it with the session and its user, then
    hands the rows to ``user_connected_keep``: one statement for what every connected page reads first."""
    return (
        _user_connected_json_sql(connection.vendor, user_column),
        _user_connected_params(None, catalogue=True),
    )


def user_connected_keep(*, user, rows):
    """Keep on ``user`` the rows of ``user_connected_json_sql`` (decoded JSON), as ``_user_connected_read`` does."""
    _user_connected_keep(user, rows, catalogue=True)


def _user_connected_read(*, user, catalogue=False):
    """One statement for what every connected page reads of its user: the four counts of
    ``user_attachment_summary`` (a row of kind 0), the user's workspaces (``user_workspaces``: kind 1, open for
    the user, with what the menu shows of them; kind 2, the codes open on one of their active structures), the
    count of their events (kind 3, ``user_event_count``) and, for the pages that list it (``catalogue``), the
    workspaces of the catalogue (kind 4), kept on ``user``. Ten columns: the kind, a workspace code, four numbers,
    four texts."""
    with connection.cursor() as cursor:
        cursor.execute(
            _user_connected_sql(connection.vendor, catalogue),
            _user_connected_params(user.pk, catalogue=catalogue),
        )
        rows = cursor.fetchall()
    _user_connected_keep(user, rows, catalogue=catalogue)


def _user_connected_keep(user, rows, *, catalogue):
    ((_, _, attachments, managed, pending, closed, *_),) = [row for row in rows if row[0] == 0]
    user._attachment_summary = AttachmentSummary(
        attachments=attachments, managed=managed, pending=pending, closed=closed
    )
    ((_, _, user._event_count, *_),) = [row for row in rows if row[0] == 3]
    user._workspace_codes = (
        frozenset(row[1] for row in rows if row[0] == 1),
        frozenset(row[1] for row in rows if row[0] == 2),
    )
    # Available ones, in the catalogue's order (position, code).
    opened = sorted((row[2], row[1], row[6], row[7]) for row in rows if row[0] == 1 and row[3])
    user._open_workspaces = [
        OpenWorkspace(code=code, label_fr=label_fr, label_en=label_en)
        for _, code, label_fr, label_en in opened
    ]
    # The catalogue's rows (kind 4) when it was read, its instances made when a page lists it (_catalogue_of).
    user._catalogue_rows = [row for row in rows if row[0] == 4] if catalogue else None


def _catalogue_of(rows):
    """The workspaces of the catalogue from rows of kind 4, as ``workspace_catalogue()`` lists them: the available
    ones, by position then code."""
    return list(_catalogue_instances(tuple(sorted(map(tuple, rows), key=lambda row: (row[2], row[1])))))


@lru_cache(maxsize=16)
def _catalogue_instances(rows):
    """``_catalogue_of``'s instances, made once per process for the same rows (tuples, by position then code): a
    function of what the database holds, so every process has the same, and the pages only read them."""
    fields = [field.attname for field in Workspace._meta.concrete_fields]
    workspaces = []
    for _, code, position, default, _, _, label_fr, label_en, description_fr, description_en in rows:
        values = {
            "code": code,
            "label_fr": label_fr,
            "label_en": label_en,
            "description_fr": description_fr,
            "description_en": description_en,
            "is_default": bool(default),
            "position": position,
            "is_available": True,
        }
        workspaces.append(Workspace.from_db(connection.alias, fields, [values[name] for name in fields]))
    return tuple(workspaces)


def user_attachment_summary(*, user) -> AttachmentSummary:
    """The counts the connected pages need (the menu's "Activités du gestionnaire", the home's next step, the
    rows of "Mes rattachements aux structures"), in one query (with the user's workspace codes), read once per
    request: kept on ``user`` (the request's user object, loaded anew by every request), so read it after the
    request's writes."""
    if getattr(user, "_attachment_summary", None) is None:
        _user_connected_read(user=user)
    return user._attachment_summary


def user_event_count(*, user) -> int:
    """How many events the user's "Fil d'événements" holds (read with ``user_attachment_summary``)."""
    if getattr(user, "_event_count", None) is None:
        _user_connected_read(user=user)
    return user._event_count


def user_has_attachment(*, user):
    """Whether the user is attached to a structure or waits for a decision (else the home shows the next step)."""
    summary = user_attachment_summary(user=user)
    return bool(summary.attachments or summary.pending)


def user_memberships(*, user):
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("structure")
        .order_by("structure__corporate_name", "pk")
    )


# The first rows of "Mes rattachements aux structures" (Mon Compte), read on every display of the page, with what
# the rows show of each structure (its identifier and names), not its other columns.
_user_memberships_page = PreparedRead(
    Membership,
    lambda user_id: user_memberships(user=user_id).only(
        *(field.name for field in Membership._meta.concrete_fields),
        "structure__identifier_type",
        "structure__identifier",
        "structure__corporate_name",
        "structure__label",
    ),
    user_id=int,
)


def user_memberships_page(*, user, offset, limit):
    """``limit`` of the user's active memberships from ``offset``, in ``user_memberships``' order, each with its
    structure."""
    return _user_memberships_page.all(user_id=user.pk, offset=offset, limit=limit)


def _primary_managers_prefetch():
    return Prefetch(
        "structure__memberships",
        queryset=Membership.objects.filter(is_active=True, role=Role.PRIMARY_MANAGER).select_related("user"),
        to_attr="primary_memberships",
    )


def user_pending_requests(*, user):
    """The user's pending requests, each with ``structure.primary_memberships`` (who must decide)."""
    return (
        AttachmentRequest.objects.filter(user=user, status=AttachmentRequest.Status.PENDING)
        .select_related("structure")
        .prefetch_related("services", _primary_managers_prefetch())
        .order_by("-created_at", "-pk")
    )


CLOSED_STATUSES = (AttachmentRequest.Status.REFUSED, AttachmentRequest.Status.CANCELLED)
CLOSED_REQUESTS_SHOWN = 10


def user_closed_requests(*, user, limit=CLOSED_REQUESTS_SHOWN):
    """The user's latest refused or cancelled requests (approved ones show as attachments)."""
    return (
        AttachmentRequest.objects.filter(user=user, status__in=CLOSED_STATUSES)
        .select_related("structure")
        .order_by("-decided_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class AttachmentRow:
    """One row of "Mes rattachements aux structures": an attachment (``kind`` "membership"), a pending request
    ("pending") or a refused or cancelled one ("closed"); ``item`` is the Membership or the AttachmentRequest."""

    kind: str
    item: object


class AttachmentRows(PagedRows):
    """The user's attachments, then pending requests, then latest closed requests, as one sequence a Paginator
    can page: one count query per part, and a page reads only the parts it shows (at most three slices)."""

    # Each part is read only for a page that shows rows of it (building a queryset costs more than its count):
    # kind -> rows(user, low, high).
    parts = (
        (
            "membership",
            lambda user, low, high: user_memberships_page(user=user, offset=low, limit=high - low),
        ),
        ("pending", lambda user, low, high: user_pending_requests(user=user)[low:high]),
        ("closed", lambda user, low, high: user_closed_requests(user=user)[low:high]),
    )

    def __init__(self, *, user):
        self.user = user

    @cached_property
    def counts(self):
        """Rows of each part (user_attachment_summary: one query, shared with the menu)."""
        summary = user_attachment_summary(user=self.user)
        return [summary.attachments, summary.pending, min(summary.closed, CLOSED_REQUESTS_SHOWN)]

    def count(self):
        return sum(self.counts)

    def __len__(self):
        return self.count()

    def page(self, *, offset, limit):
        rows, part_start = [], 0
        for (kind, rows_of), count in zip(self.parts, self.counts, strict=True):
            low, high = max(offset - part_start, 0), min(offset + limit - part_start, count)
            if low < high:
                rows.extend(AttachmentRow(kind=kind, item=item) for item in rows_of(self.user, low, high))
            part_start += count
        return rows


def user_attachment_rows(*, user) -> AttachmentRows:
    return AttachmentRows(user=user)


class _Like(Lookup):
    """Django's ``contains``, as it writes it for the database (``"search_text"::text LIKE %s`` on PostgreSQL, with
    ``ESCAPE '\\'`` on SQLite: the same statement, the same trigram index), but given the whole LIKE pattern
    (``_like_pattern``): the statement's parameter is the value passed, as a prepared read needs."""

    lookup_name = "like_pattern"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        lhs = connection.ops.lookup_cast("contains", self.lhs.output_field.get_internal_type()) % lhs
        return f"{lhs} {connection.operators['contains'] % rhs}", [*lhs_params, *rhs_params]


def _like_pattern(word):
    return f"%{connection.ops.prep_for_like_query(word)}%"


def _word_terms(words):
    """The LIKE patterns of the words (``p0``, ``p1``…) and the words too short for the trigram index (``s0``…).

    A word of one or two letters ("de", "en", the "l" of "l'Aÿ") holds no trigram: given to the trigram index, it
    would make PostgreSQL read every entry of it. It is checked instead on the rows that the longer words found
    (strpos, same meaning), unless there is no longer word."""
    indexed = [word for word in words if len(word) >= 3] or words
    short = [word for word in words if word not in indexed]
    return {
        **{f"p{index}": _like_pattern(word) for index, word in enumerate(indexed)},
        **{f"s{index}": word for index, word in enumerate(short)},
    }


def _words_condition(terms):
    condition = Q()
    for name, value in terms.items():
        if name.startswith("p"):
            condition &= Q(_Like(F("search_text"), value))
        else:
            condition &= Q(GreaterThan(StrIndex("search_text", Value(value)), 0))
    return condition


def _words_filter(text):
    """Every word of ``text`` in ``search_text`` (accents and case ignored)."""
    return _words_condition(_word_terms(search_normalise(text).split()))


def _search_terms(query):
    """What the public search looks for: ``{"postal_code": code}`` for a bare postal code (five digits), else the
    terms of its words (``_word_terms``)."""
    words = search_normalise(query).split()
    if len(words) == 1 and len(words[0]) == 5 and words[0].isdigit():
        return {"postal_code": words[0]}
    return _word_terms(words)


def _public_search(**terms):
    # Index structure_public_postal_code, in the order of the pages: the first page reads ten rows, where the
    # trigram index would give every structure of the postal code (thousands in a city) to sort.
    condition = Q(postal_code=terms["postal_code"]) if "postal_code" in terms else _words_condition(terms)
    return (
        Structure.objects.filter(PUBLIC_SEARCH)
        .filter(condition)
        # Case-insensitive order by name. For words, PostgreSQL reads the matching rows through the trigram index
        # (structures 0007) and sorts them, instead of walking a name index in order hoping to meet ten matches
        # early (700 ms for a city over 1,000,000 structures: bench/directory.py); SQLite walks the public
        # structures in this order (0008). For a postal code, structure_public_postal_code is in this order.
        .order_by(Lower("corporate_name"), "pk")
    )


def structures_public_search(*, query):
    """Public, active structures whose name, label, identifier, postal code or city contain every word typed
    (accents and case ignored); a bare postal code (five digits) finds the structures of that postal code."""
    return _public_search(**_search_terms(query))


class PublicSearchResults(PagedRows):
    """``structures_public_search`` for the search page, as a sequence a CappedCountPaginator can page: the count
    and the page are prepared reads (one per shape of search: a postal code, or so many words of each kind),
    compiled once per process instead of built by the ORM at every display."""

    _reads: dict = {}  # shape -> (page read, count read)
    _MAX_SHAPES = 100  # the shapes in use come back at once when it is emptied

    def __init__(self, *, query):
        self.terms = _search_terms(query)
        # ("postal_code",), ("p",), ("p", "p", "s")...: a postal code, or so many patterns and short words.
        shape = tuple(name.rstrip("0123456789") for name in self.terms)
        reads = self._reads.get(shape)
        if reads is None:
            if len(self._reads) >= self._MAX_SHAPES:
                self._reads.clear()
            parameters = dict.fromkeys(self.terms, str)
            reads = self._reads[shape] = (
                PreparedRead(Structure, _public_search, **parameters),
                PreparedRead(
                    Structure,
                    lambda **terms: _public_search(**terms).order_by().values_list("pk"),
                    **parameters,
                ),
            )
        self._page_read, self._count_read = reads

    def count_up_to(self, limit):
        return self._count_read.count(limit=limit, **self.terms)

    def page(self, *, offset, limit):
        return self._page_read.all(offset=offset, limit=limit, **self.terms)


def structures_public_search_results(*, query) -> PublicSearchResults:
    return PublicSearchResults(query=query)


def structures_attachable_search(*, user, criteria):
    """The "Demander un rattachement à une structure" search (criteria of seed 003), with for each structure
    whether the user is already attached (``is_member``) or has a pending request (``has_pending``)."""
    queryset = Structure.objects.exclude(moderation=Structure.Moderation.SUSPENDED)
    if criteria.get("corporate_name"):
        queryset = queryset.filter(_words_filter(criteria["corporate_name"]))
    if criteria.get("kind") == "PRIVATE":
        queryset = queryset.filter(is_private=True)
    elif criteria.get("kind") == "PUBLIC":
        queryset = queryset.filter(is_private=False)
    if criteria.get("identifier"):
        queryset = queryset.filter(identifier__icontains="".join(criteria["identifier"].split()))
    if criteria.get("identifier_type"):
        queryset = queryset.filter(identifier_type=criteria["identifier_type"])
    if criteria.get("label"):
        queryset = queryset.filter(_words_filter(criteria["label"]))
    if criteria.get("status"):
        queryset = queryset.filter(status=criteria["status"])
    for key in ("last_name", "first_name", "city"):
        if criteria.get(key):
            queryset = queryset.filter(_words_filter(criteria[key]))
    if criteria.get("postal_code"):
        queryset = queryset.filter(postal_code__startswith=criteria["postal_code"].strip())
    if criteria.get("country"):
        queryset = queryset.filter(country=criteria["country"])
    return queryset.annotate(
        is_member=Exists(Membership.objects.filter(structure=OuterRef("pk"), user=user, is_active=True)),
        has_pending=Exists(
            AttachmentRequest.objects.filter(
                structure=OuterRef("pk"), user=user, status=AttachmentRequest.Status.PENDING
            )
        ),
    ).order_by("corporate_name", "pk")


def structure_active_services(*, structure):
    return Service.objects.filter(structure=structure, is_active=True).order_by("code")


# --- managers ------------------------------------------------------------------------------------------------


def managed_memberships(*, user):
    """The user's manager memberships, with their structures."""
    return (
        Membership.objects.filter(user=user, is_active=True, role__in=MANAGER_ROLES)
        .select_related("structure")
        .order_by("structure__corporate_name", "pk")
    )


def manager_pending_requests(*, user):
    """Pending requests to every structure the user manages, oldest first (they have waited longest)."""
    managed = Membership.objects.filter(user=user, is_active=True, role__in=MANAGER_ROLES).values(
        "structure_id"
    )
    return (
        AttachmentRequest.objects.filter(status=AttachmentRequest.Status.PENDING, structure_id__in=managed)
        .select_related("user", "structure")
        .prefetch_related("services")
        .order_by("created_at", "pk")
    )


def structure_members(*, structure):
    return (
        Membership.objects.filter(structure=structure, is_active=True)
        .select_related("user")
        .prefetch_related("services")
        .order_by("role", "user__last_name", "user__first_name", "pk")
    )


def structure_services(*, structure):
    return Service.objects.filter(structure=structure).order_by("code")


def structure_decisions(*, structure):
    """History of the managers' decisions on the structure's attachment requests, newest first."""
    return (
        AttachmentRequest.objects.filter(
            structure=structure,
            status__in=[AttachmentRequest.Status.APPROVED, AttachmentRequest.Status.REFUSED],
        )
        .select_related("user", "decided_by")
        .order_by("-decided_at", "-pk")
    )


def structure_get_by_identifier(*, identifier_type: str, identifier: str) -> Structure | None:
    """The structure with this identifier, with its active services (two queries), or None."""
    return (
        Structure.objects.filter(identifier_type=identifier_type, identifier=identifier)
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.filter(is_active=True).order_by("name", "code"))
        )
        .first()
    )


# --- the structure's workspaces (« Liste des espaces de la structure ») ------------------------------------------


_structure_workspace_codes = PreparedRead(
    StructureWorkspace,
    lambda pk: StructureWorkspace.objects.filter(structure_id=pk, is_active=True).values_list("workspace_id"),
    pk=int,
)


def structure_workspace_codes(*, structure) -> set[str]:
    """Codes of the workspaces open on ``structure`` (a Structure or its id; one query, prepared: signup step 3
    reads it on every display)."""
    pk = structure.pk if isinstance(structure, Structure) else structure
    return {code for (code,) in _structure_workspace_codes.rows(pk=pk)}


def user_structure_workspace_codes(*, user) -> set[str]:
    """Codes of the workspaces open on at least one of the structures ``user`` is actively attached to: the ones
    the user may open for themself in "Mon Compte" (one query)."""
    return set(
        StructureWorkspace.objects.filter(
            is_active=True,
            structure__memberships__user=user,
            structure__memberships__is_active=True,
        ).values_list("workspace_id", flat=True)
    )


@dataclass(frozen=True)
class OpenWorkspace:
    """A workspace the user has open, as the menu and "Mes espaces" show it: its code and its label."""

    code: str
    label_fr: str
    label_en: str

    label = Workspace.label  # the label of the active language, as the catalogue's


@dataclass(frozen=True)
class UserWorkspaces:
    """What the connected pages need of the workspaces: those the user has open and available (the menu, "Mes
    espaces"), the codes the user has open (Mon Compte) and those open on one of their active structures (Mon
    Compte's choices), all read with the user's counts; the catalogue, read with them too when the page asked for
    it first (``user_workspaces(catalogue=True)``) or with the session (``user_connected_json_sql``), else from
    the shared cache."""

    open: list
    open_codes: frozenset
    structure_codes: frozenset
    catalogue_rows: list | None = None  # the catalogue's rows, when read with the rest

    @cached_property
    def catalogue(self):
        if self.catalogue_rows is not None:
            return _catalogue_of(self.catalogue_rows)
        return workspace_catalogue_cached()


def _user_workspace_codes_sql(user):
    """The user's open workspaces and those open on their active structures, in one statement, with the models'
    table and column names (written out like ``_attachment_summary_sql``: it runs on every connected page)."""
    activations, openings = _table(WorkspaceActivation), _table(StructureWorkspace)
    memberships = _table(Membership)
    workspace, user_column, is_active = (
        _column(WorkspaceActivation, field) for field in ("workspace", "user", "is_active")
    )
    code, position, available, label_fr, label_en = (
        _column(Workspace, field) for field in ("code", "position", "is_available", "label_fr", "label_en")
    )
    # Table and column names from the models' metadata, the values as parameters.
    own = (
        f"SELECT 1, a.{workspace}, w.{position}, CASE WHEN w.{available} THEN 1 ELSE 0 END, 0, 0, "  # noqa: S608
        f"w.{label_fr}, w.{label_en}, NULL, NULL FROM {activations} a "
        f"INNER JOIN {_table(Workspace)} w ON w.{code} = a.{workspace} WHERE a.{user_column} = {user} "
        f"AND a.{is_active} = %s"
    )
    joined = (
        f"{openings} o INNER JOIN {memberships} m "
        f"ON m.{_column(Membership, 'structure')} = o.{_column(StructureWorkspace, 'structure')}"
    )
    conditions = (
        f"m.{_column(Membership, 'user')} = {user} AND m.{_column(Membership, 'is_active')} = %s "
        f"AND o.{_column(StructureWorkspace, 'is_active')} = %s"
    )
    opened = _column(StructureWorkspace, "workspace")
    of_structures = (
        f"SELECT 2, o.{opened}, 0, 0, 0, 0, NULL, NULL, NULL, NULL FROM {joined} WHERE {conditions}"  # noqa: S608
    )
    return f"{own} UNION ALL {of_structures}"


def user_workspaces(*, user, fresh=False, catalogue=False) -> UserWorkspaces:
    """The user's workspaces (read with ``user_attachment_summary``), once per request: kept on ``user`` like the
    summary; ``fresh`` reads them again, for writes. ``catalogue``: with the catalogue, read in the same statement
    when nothing of the user has been read yet in this request."""
    workspaces = None if fresh else getattr(user, "_workspaces", None)
    if workspaces is None:
        if fresh or getattr(user, "_workspace_codes", None) is None:
            _user_connected_read(user=user, catalogue=catalogue)
        open_codes, structure_codes = user._workspace_codes
        workspaces = user._workspaces = UserWorkspaces(
            open=user._open_workspaces,
            open_codes=open_codes,
            structure_codes=structure_codes,
            catalogue_rows=getattr(user, "_catalogue_rows", None),
        )
    return workspaces


@dataclass(frozen=True)
class StructureWorkspaceRow:
    """A row of « Liste des espaces de la structure »: a workspace of the catalogue, open on the structure or
    not; a self-service workspace (a default one) is open to every user whatever the structure says."""

    workspace: object
    is_open: bool

    @property
    def is_self_service(self):
        return self.workspace.is_default


def structure_workspace_rows(*, structure) -> list[StructureWorkspaceRow]:
    """The catalogue with, for each workspace, whether it is open on ``structure`` (one query)."""
    catalogue = workspace_catalogue().annotate(
        is_open_on_structure=Exists(
            StructureWorkspace.objects.filter(structure=structure, workspace=OuterRef("pk"), is_active=True)
        )
    )
    return [
        StructureWorkspaceRow(workspace=workspace, is_open=workspace.is_open_on_structure)
        for workspace in catalogue
    ]
