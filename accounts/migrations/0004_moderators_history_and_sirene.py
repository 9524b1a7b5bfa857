"""Moderators may also refresh a structure from SIRENE, read the event feeds (a structure's history) and look
up the SIRENE directory (establishments and legal units). The import history stays with the administrators
(who get every permission, see accounts.apps)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["refresh_structure", "view_event", "view_establishment", "view_legalunit"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="structures", codename__in=CODENAMES
    )
    for group in Group.objects.using(db).filter(name__in=["Moderators", "Administrators"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    moderators = Group.objects.using(db).filter(name="Moderators").first()
    if moderators is not None:
        moderators.permissions.remove(
            *Permission.objects.using(db).filter(content_type__app_label="structures", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_search_indexes"),
        ("structures", "0006_admin_history_and_sirene_refresh"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
