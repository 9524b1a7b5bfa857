"""The workspace table of Mon Compte and signup step 3 (``GatedWorkspacesForm.table_body``): each row is written
once per process for what it shows, and every display shows its own language, state and texts."""

import re

from django.utils import translation

from accounts.forms import SignupWorkspacesForm, WorkspacesForm
from workspaces.models import Workspace


def workspace(**fields):
    return Workspace(
        **{
            "code": "factures-emises",
            "label_fr": "Factures émises",
            "label_en": "Issued invoices",
            "description_fr": "Déposer et suivre vos factures",
            "description_en": "Submit and follow your invoices",
            **fields,
        }
    )


def table(*workspaces, open_codes=(), allowed_codes=None, blocked_reason="", data=None, form=WorkspacesForm):
    kwargs = {"workspaces": workspaces} if form is WorkspacesForm else {"catalogue": workspaces}
    return form(
        data,
        allowed_codes=allowed_codes,
        blocked_reason=blocked_reason,
        initial={"workspaces": list(open_codes)},
        **kwargs,
    ).table_body()


def row_of(body, code):
    (row,) = [row for row in body.split("</tr>") if f'value="{code}"' in row]
    return row


def test_each_language_gets_its_labels_and_toggles():
    with translation.override("fr"):
        french = table(workspace())
    with translation.override("en"):
        english = table(workspace())
    assert ">Factures émises</th>" in french and 'data-fr-checked-label="OUI"' in french
    assert "Déposer et suivre vos factures" in french
    assert ">Issued invoices</th>" in english and 'data-fr-checked-label="YES"' in english
    assert "Open the area “Issued invoices”" in english


def test_the_toggle_follows_what_is_open_or_submitted():
    with translation.override("fr"):
        opened = table(workspace(), open_codes=["factures-emises"])
        closed = table(workspace())
        submitted = table(workspace(), open_codes=["factures-emises"], data={})  # the person untoggled it
    assert " checked" in opened
    assert " checked" not in closed and " checked" not in submitted


def test_a_renamed_workspace_shows_its_new_texts():
    with translation.override("fr"):
        table(workspace())
        renamed = table(workspace(label_fr="Factures déposées"))
        described = table(workspace(description_fr="Nouvelle description"))
    assert ">Factures déposées</th>" in renamed
    assert ">Factures émises</th>" in described and "Nouvelle description" in described


def test_a_closed_workspace_shows_the_reason_of_the_page():
    closed = workspace(code="mandats", label_fr="Mandats")
    with translation.override("fr"):
        first = table(closed, allowed_codes=set(), blocked_reason="Raison une")
        second = table(closed, allowed_codes=set(), blocked_reason="Raison deux")
        allowed = table(closed, allowed_codes={"mandats"}, blocked_reason="Raison deux")
    assert " disabled" in first and "Raison une" in first
    assert "Raison deux" in second and "Raison une" not in second
    assert " disabled" not in allowed and "Raison deux" not in allowed
    with translation.override("fr"):  # no reason given: the state alone tells the rows apart
        assert " disabled" in table(closed, allowed_codes=set())
        assert " disabled" not in table(closed, allowed_codes={"mandats"})


def test_texts_typed_by_an_administrator_are_escaped():
    hostile = workspace(code="x", label_fr='<script>alert("x")</script>', description_fr="a & b <b>")
    with translation.override("fr"):
        body = table(hostile, allowed_codes=set(), blocked_reason="<i>fermé</i>")
    assert "<script>" not in body and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert "a &amp; b &lt;b&gt;" in body and "&lt;i&gt;fermé&lt;/i&gt;" in body


def test_each_page_keeps_its_own_ids():
    with translation.override("fr"):
        account = row_of(table(workspace()), "factures-emises")
        signup = row_of(table(workspace(), form=SignupWorkspacesForm), "factures-emises")
    assert set(re.findall(r'id="([^"]+)"', account)) == {
        "account-workspace-factures-emises",
        "account-workspace-factures-emises-description",
        "id_workspaces_factures-emises",
    }
    assert set(re.findall(r'id="([^"]+)"', signup)) == {
        "workspace-factures-emises",
        "workspace-factures-emises-description",
        "id_workspace_factures-emises",
    }
