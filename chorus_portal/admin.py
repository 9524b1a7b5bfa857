from django.contrib import admin


class YesNoFilter(admin.SimpleListFilter):
    """A list filter with two choices, "yes" keeping the rows that meet ``condition()`` and "no" the others.

    Subclasses give ``title``, ``parameter_name``, ``yes_label``, ``no_label`` and ``condition()`` (a Q object or
    an Exists expression)."""

    yes_label = no_label = None

    def condition(self):
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", self.yes_label), ("no", self.no_label)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition())
        if self.value() == "no":
            return queryset.filter(~self.condition())
        return queryset
