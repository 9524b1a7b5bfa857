from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def administrators_permissions_sync(using="default", **kwargs):
    """Give the "Administrators" group every permission, including those of models added after its migration."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.using(using).filter(name="Administrators").first()
    if group is not None:
        group.permissions.add(*Permission.objects.using(using).exclude(group=group))


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(administrators_permissions_sync, dispatch_uid="administrators_permissions_sync")
