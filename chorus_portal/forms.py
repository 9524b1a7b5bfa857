from django import forms
from dsfr.forms import DsfrBaseForm


class PortalForm(DsfrBaseForm):
    """Base of the portal's forms: DSFR markup, required fields marked with "*" as in the official guides,
    and the first field in error focused so that keyboard and screen-reader users land on it."""

    def get_context(self):
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = False
        return context

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors:
            first = next((name for name in self._errors if name in self.fields), None)
            if first:
                self.fields[first].widget.attrs["autofocus"] = ""
