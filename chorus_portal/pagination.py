from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """A paginator whose count stops at ``cap`` rows, for lists that grow to millions of rows (structures, users,
    the SIRENE directory): ``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)`` reads at most cap + 1 rows, where a
    full count reads every row that matches. Pages beyond ``cap`` rows are not reachable: narrowing the search or
    the filters is. ``is_capped`` tells the page to say "more than <cap>" rather than a number."""

    cap = 1_000

    @cached_property
    def _counted(self):
        object_list = self.object_list
        if hasattr(object_list, "count_up_to"):  # a sequence that counts in the database (a prepared read)
            return object_list.count_up_to(self.cap + 1)
        if hasattr(object_list, "order_by"):
            # Neither the order nor the columns shown change a count: without them, the database stops at the
            # first cap + 1 rows found, and computes no annotation (a change list's subqueries) for them.
            return object_list.order_by().values("pk")[: self.cap + 1].count()
        return min(len(object_list), self.cap + 1)  # a list (rows already read)

    @cached_property
    def count(self):
        return min(self._counted, self.cap)

    @property
    def is_capped(self):
        return self._counted > self.cap


class PagedRows:
    """Rows that a Paginator reads a page at a time (``object_list[start:stop]``), without a queryset: a subclass
    reads one page with ``page(offset=, limit=)`` and counts its rows with ``count()`` (a Paginator) or
    ``count_up_to(limit)`` (a CappedCountPaginator). An empty page reads nothing."""

    def page(self, *, offset, limit):
        raise NotImplementedError

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError(f"{type(self).__name__} is read by page.")
        start = index.start or 0
        return self.page(offset=start, limit=index.stop - start) if index.stop > start else []
