"""Reads whose SQL is compiled once per process, then run with new values.

Building a queryset and compiling it costs more CPU here than running the statement: reading a user by primary key
takes ~0.6 ms through the ORM against ~0.2 ms for the same statement and model instance (bench/RESULTS.md). The
reads that run on every page of a kind (the logged-in user, the account of an emailed link, the workspaces open on
the structure of signup step 3, Mon Compte's attachments, the event feed, the public search) are written as ordinary
querysets whose varying values are named parameters. The queryset is compiled the first time, once per database,
with what turns a row into an instance (the column names and the converters of the backend and of the fields, as
Django's own model iterable computes them); later calls only run the statement and build the instances.

    user_by_pk = PreparedRead(User, lambda pk: User._default_manager.filter(pk=pk), pk=int)
    user = user_by_pk.first(pk=42)

A read may join the rows its instances refer to (``select_related``: each instance comes with them, as from the
ORM), select values computed by the database (``annotate``: set on each instance under their names, as by the ORM)
and be read a page at a time (``all(offset=..., limit=...)``: the statement's LIMIT and OFFSET are parameters;
the first page has no OFFSET).

Everything that varies from one call to the next must be a parameter: the compiled statement keeps every other
value of the queryset as it was the first time (``timezone.now()`` is a ``datetime`` parameter, not a constant).
"""

import datetime
from dataclasses import dataclass
from weakref import ref as weak_ref

from django.db import connections, router
from django.db.models.query import get_related_populators

# Values that stand for the parameters while the queryset is compiled: found again among the statement's
# parameters by type and value, they tell where each parameter goes.
_SAMPLES = {
    int: lambda index: -(2**52) - 7919 * index,
    str: lambda index: f"\ue000prepared-read-{index}\ue000",
    datetime.datetime: lambda index: datetime.datetime(
        1901, 2, 3, 4, 5, 6, 7919 + index, tzinfo=datetime.UTC
    ),
}


def _adapted(kind, value, connection):
    """A value as the queryset passes it to the database: a datetime (aware) as the backend stores it (SQLite: a
    string in UTC), the others unchanged."""
    if kind is datetime.datetime:
        return connection.ops.adapt_datetimefield_value(value)
    return value


_INTEGER_MIN, _INTEGER_MAX = -(2**63), 2**63 - 1


class PreparedRead:
    def __init__(self, model, build, **parameters):
        """``build(**values)`` returns a queryset of ``model``, unsliced: one row is one instance (``all()``), with
        the rows of its ``select_related`` and its annotations, or a tuple with ``values_list()`` (``rows()``).
        ``parameters`` names each value and its type, ``int``, ``str`` or ``datetime`` (aware); the queryset must pass
        each value unchanged to the database (a primary key, a code, an email, a date compared with a column)."""
        unsupported = {name: kind for name, kind in parameters.items() if kind not in _SAMPLES}
        if unsupported:
            raise TypeError(f"PreparedRead parameters are int, str or datetime, not {unsupported}")
        self.model = model
        self._build = build
        self._parameters = parameters
        self._compiled = {}  # (database alias, vendor) -> _Compiled

    def _compile(self, alias):
        samples = {name: _SAMPLES[kind](index) for index, (name, kind) in enumerate(self._parameters.items())}
        queryset = self._build(**samples).using(alias)
        connection = connections[alias]
        passed = {
            name: _adapted(self._parameters[name], sample, connection) for name, sample in samples.items()
        }
        query = queryset.query
        if queryset.model is not self.model or query.extra or query.is_sliced:
            raise TypeError(
                "a PreparedRead reads its model's columns, those of its select_related and its annotations, unsliced"
            )
        compiler = query.get_compiler(using=alias)
        sql, constants = compiler.as_sql()
        slots = []
        for constant in constants:
            name = next(
                (
                    name
                    for name, sample in passed.items()
                    if type(constant) is type(sample) and constant == sample
                ),
                None,
            )
            slots.append((name, constant))
        missing = set(samples) - {name for name, _ in slots}
        if missing:
            raise TypeError(f"the queryset does not pass {sorted(missing)} unchanged to the database")
        columns = [expression for expression, _, _ in compiler.select[: compiler.col_count]]
        converters = [
            (index, tuple(functions), expression)
            for index, (functions, expression) in compiler.get_converters(columns).items()
        ]
        fetch_mode = queryset._fetch_mode
        if query.values_select:
            return _Compiled(sql, slots, None, converters, 0, [], fetch_mode, ())
        # As Django's ModelIterable: the model's own columns, then the related rows' (select_related).
        own = compiler.klass_info["select_fields"]
        start, end = own[0], own[-1] + 1
        attnames = [column.target.attname for column in columns[start:end]]
        related = get_related_populators(compiler.klass_info, compiler.select, alias, fetch_mode)
        annotations = tuple(compiler.annotation_col_map.items())
        return _Compiled(sql, slots, attnames, converters, start, related, fetch_mode, annotations)

    def _statement(self, using, values):
        """The compiled read for the database in use, its alias and connection, and the statement's parameters for
        these values (None: a value that no column can hold, so the read finds nothing)."""
        alias = using or router.db_for_read(self.model)
        connection = connections[alias]
        key = (alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(alias)
        if any(type(value) is int and not _INTEGER_MIN <= value <= _INTEGER_MAX for value in values.values()):
            # No integer column holds it (and SQLite would refuse it).
            return compiled, alias, connection, None
        kinds = self._parameters
        params = [
            constant if name is None else _adapted(kinds[name], values[name], connection)
            for name, constant in compiled.slots
        ]
        return compiled, alias, connection, params

    def _rows(self, using, values, offset=0, limit=None):
        compiled, alias, connection, params = self._statement(using, values)
        if limit is None and offset:
            raise TypeError("an offset needs a limit")
        if params is None:
            return compiled, alias, []
        sql = compiled.sql
        if limit is not None and offset:
            sql = f"{sql} LIMIT %s OFFSET %s"
            params += [int(limit), int(offset)]
        elif limit is not None:
            # The first page, the one shown nearly always, without OFFSET: PostgreSQL costs an OFFSET parameter
            # as rows to skip, so a prepared statement with one never got its generic plan and the event feed's
            # five-table join was planned again on each display (~0.7 ms of the database's CPU).
            sql = f"{sql} LIMIT %s"
            params.append(int(limit))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [self._convert(row, compiled.converters, connection) for row in rows]
        return compiled, alias, rows

    def count(self, *, using=None, limit, **values):
        """How many rows the read returns for these values, counting no further than ``limit``: the database
        stops at the first ``limit`` rows found (``SELECT COUNT(*) FROM (… LIMIT n)``)."""
        compiled, _, connection, params = self._statement(using, values)
        if params is None:
            return 0
        sql = f"SELECT COUNT(*) FROM ({compiled.sql} LIMIT %s) counted"  # noqa: S608 (compiled)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, int(limit)])
            return cursor.fetchone()[0]

    @staticmethod
    def _convert(row, converters, connection):
        row = list(row)
        for index, functions, expression in converters:
            for function in functions:
                row[index] = function(row[index], expression, connection)
        return row

    def all(self, *, using=None, offset=0, limit=None, **values):
        """The instances the queryset would return for these values, in its order (``limit`` of them from
        ``offset`` when a limit is given), each with its related rows."""
        compiled, alias, rows = self._rows(using, values, offset, limit)
        if compiled.attnames is None:
            raise TypeError("a PreparedRead of values_list() returns rows(), not instances")
        start, end = compiled.start, compiled.start + len(compiled.attnames)
        fetch_mode, instances, peers = compiled.fetch_mode, [], []
        for row in rows:
            instance = self.model.from_db(alias, compiled.attnames, row[start:end], fetch_mode=fetch_mode)
            if fetch_mode.track_peers:
                peers.append(weak_ref(instance))
                instance._state.peers = peers
            for populator in compiled.related:
                populator.populate(row, instance)
            for name, index in compiled.annotations:
                setattr(instance, name, row[index])
            instances.append(instance)
        return instances

    def rows(self, *, using=None, **values):
        """The rows (tuples) of a ``values_list()`` queryset for these values, in its order."""
        compiled, _, rows = self._rows(using, values)
        if compiled.attnames is not None:
            raise TypeError("a PreparedRead of instances returns all(), not rows")
        return [tuple(row) for row in rows]

    def first(self, *, using=None, **values):
        """The first instance, or None."""
        rows = self.all(using=using, **values)
        return rows[0] if rows else None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Per statement parameter: (the parameter's name, its sample) or (None, the queryset's constant).
    slots: list
    attnames: list | None  # the model's fields, in the order of the columns (None: a values_list() read)
    converters: list  # (column index, functions, expression): the backend's and the fields' converters
    start: int  # the index of the model's first column
    related: list  # Django's RelatedPopulator of each select_related row
    fetch_mode: object  # the queryset's (how its instances load a field or relation they were read without)
    annotations: tuple  # (name, column index) of each annotation
