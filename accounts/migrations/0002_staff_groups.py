"""The two staff roles of the admin, as Django groups: "Moderators" and "Administrators".

Moderators look after structures, attachment requests, users and news; administrators may do everything
(the post_migrate hook of accounts.apps keeps them given every permission, including the models added later).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
ADMINISTRATORS = "Administrators"

MODERATOR_PERMISSIONS = {
    "accounts": ["view_user", "change_user"],
    "structures": [
        "view_structure",
        "change_structure",
        "view_service",
        "view_membership",
        "view_attachmentrequest",
        "change_attachmentrequest",
        "view_moderationaction",
        "moderate_structure",
        "export_structure",
        "decide_attachmentrequest",
        "appoint_primary_manager",
        "resend_activation",
        "unlock_user",
        "deactivate_user",
    ],
    "news": ["view_news", "add_news", "change_news"],
    "workspaces": ["view_workspace"],
}


def create_groups(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are normally created after the last migration: create them now so that the groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    moderators, _ = Group.objects.using(db).get_or_create(name=MODERATORS)
    for app_label, codenames in MODERATOR_PERMISSIONS.items():
        moderators.permissions.add(
            *Permission.objects.using(db).filter(content_type__app_label=app_label, codename__in=codenames)
        )
    administrators, _ = Group.objects.using(db).get_or_create(name=ADMINISTRATORS)
    administrators.permissions.add(*Permission.objects.using(db).all())


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=[MODERATORS, ADMINISTRATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("structures", "0005_moderation"),
        ("news", "0001_initial"),
        ("workspaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
