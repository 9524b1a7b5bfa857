import re
import unicodedata

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecretQuestion(models.TextChoices):
    """The questions offered at activation (the code is stored in ``User.secret_question``)."""

    FIRST_PET = "first_pet", _("What was the name of your first pet?")
    BIRTH_CITY = "birth_city", _("In which city were you born?")
    MOTHER_MAIDEN_NAME = "mother_maiden_name", _("What is your mother's maiden name?")
    FIRST_SCHOOL = "first_school", _("What was the name of your first school?")
    CHILDHOOD_FRIEND = "childhood_friend", _("What is the first name of your childhood best friend?")
    FIRST_CAR = "first_car", _("What was the make of your first car?")
    FAVOURITE_BOOK = "favourite_book", _("What is the title of your favourite book?")


def normalize_secret_answer(answer: str) -> str:
    """The form in which a secret answer is hashed and compared: case, accents, punctuation and spacing do not
    matter ("  Éléonore " and "eleonore", "Noisy-le-Grand" and "noisy le grand" are the same answer)."""
    decomposed = unicodedata.normalize("NFKD", answer)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[\W_]+", " ", without_accents.casefold()).split())


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Login emails are unique whatever their case: "Jean@X.fr" logs in the account of "jean@x.fr".
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("A login email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using the portal, identified by a login email.

    ``is_active`` says whether the account may be used at all (an administrator can deactivate it);
    ``email_verified_at`` says whether its owner has activated it from the emailed link. Both are needed to log in.
    """

    email = models.EmailField(_("login email address"), max_length=254, unique=True)
    contact_email = models.EmailField(
        _("contact email address"),
        max_length=254,
        blank=True,
        help_text=_("Used for every notification. When empty, the login email address is used."),
    )
    last_name = models.CharField(_("name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_complement_1 = models.CharField(_("address supplement 1"), max_length=200, blank=True)
    address_complement_2 = models.CharField(_("address supplement 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="FR")
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    survey_consent = models.BooleanField(_("agrees to receive satisfaction surveys"), default=False)
    secret_question = models.CharField(_("secret question"), max_length=50, blank=True)
    secret_answer = models.CharField(_("secret answer (hashed)"), max_length=255, blank=True, editable=False)

    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unselect this instead of deleting an account: the person can no longer log in."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    email_verified_at = models.DateTimeField(_("activated on"), null=True, blank=True)
    date_joined = models.DateTimeField(_("created on"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "first_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def is_activated(self):
        return self.email_verified_at is not None

    @property
    def notification_email(self):
        return self.contact_email or self.email

    @property
    def secret_question_label(self):
        if self.secret_question in SecretQuestion.values:
            return SecretQuestion(self.secret_question).label
        return self.secret_question

    def set_secret_answer(self, raw_answer: str):
        self.secret_answer = make_password(normalize_secret_answer(raw_answer))

    def check_secret_answer(self, raw_answer: str) -> bool:
        if not self.secret_answer:
            return False
        return check_password(normalize_secret_answer(raw_answer), self.secret_answer)

    def masked_email(self):
        """The notification address partly hidden, to show who must decide without giving the address away:
        "stephanie.dupond@example.fr" → "s***d@e***.fr"."""
        local, _, domain = self.notification_email.partition("@")
        name, dot, tld = domain.rpartition(".")
        masked_local = f"{local[0]}***{local[-1]}" if len(local) > 2 else f"{local[:1]}***"
        masked_domain = f"{name[:1]}***{dot}{tld}" if name else f"{tld[:1]}***"
        return f"{masked_local}@{masked_domain}"


class Session(AbstractBaseSession):
    """Django's database session, with the id of the user logged in on it as a column (set when the session is
    saved, from its data): the session store reads the session and its user in one statement
    (chorus_portal/sessions.py). No database constraint: a session saved while its user is being deleted still
    saves, and a session whose user is gone reads as logged out."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"

    @classmethod
    def get_session_store_class(cls):
        from chorus_portal.sessions import SessionStore

        return SessionStore
