"""Test URLconf: a deliberately careless form and a careful one, to prove what the hostile-input harness catches
and that it does not cry wolf on text fields, checkboxes and choices done right."""

from django.http import HttpResponse
from django.urls import path
from django.utils.html import escape

PAGE = '<html lang="fr"><body>{errors}<form method="post">{fields}</form></body></html>'


def careless(request):
    """Echoes `name` unescaped, forgets `city`, and fails with a 500 on a NUL byte."""
    name = request.POST.get("name", "")
    if "\x00" in name:
        raise ValueError("NUL byte")
    fields = f'<input name="name" value="{name}"><input name="city" value="">'
    return HttpResponse(PAGE.format(errors='<ul class="errorlist"><li>Erreur</li></ul>', fields=fields))


def careful(request):
    """Escapes and keeps everything; the country must be one of the list, the consent is a checkbox."""
    data = request.POST
    country = data.get("country", "")
    options = "".join(
        f'<option value="{code}"{" selected" if code == country else ""}>{code}</option>'
        for code in ("FR", "BE")
    )
    fields = (
        f'<input name="name" value="{escape(data.get("name", ""))}">'
        f'<textarea name="note">\n{escape(data.get("note", ""))}</textarea>'
        f'<select name="country">{options}</select>'
        f'<input type="checkbox" name="consent"{" checked" if data.get("consent") else ""}>'
    )
    errors = '<ul class="errorlist"><li>Erreur</li></ul>' if request.method == "POST" else ""
    return HttpResponse(PAGE.format(errors=errors, fields=fields))


urlpatterns = [path("fr/careless/", careless), path("fr/careful/", careful)]
