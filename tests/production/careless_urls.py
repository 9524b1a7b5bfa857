"""A deliberately careless form (test URLconf only): proves that the hostile-input harness catches what it checks."""

from django.http import HttpResponse
from django.urls import path
from django.utils.html import escape


def careless(request):
    """Echoes `name` unescaped, forgets `city`, and fails with a 500 on a NUL byte."""
    name = request.POST.get("name", "")
    if "\x00" in name:
        raise ValueError("NUL byte")
    return HttpResponse(
        '<html lang="fr"><body><ul class="errorlist"><li>Erreur</li></ul><form method="post">'
        f'<input name="name" value="{name}"><input name="city" value=""></form>'
        f"<p>{escape(name)}</p></body></html>"
    )


urlpatterns = [path("fr/careless/", careless)]
