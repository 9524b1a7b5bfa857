"""Where a signup stands between its steps, kept in the session as one small typed object."""

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import ClassVar


class Outcome:
    NEW = "new"  # the structure is not in the portal yet: the person creates it
    EXISTING = "existing"  # the structure exists: the person asks to be attached to it


@dataclass
class SignupState:
    SESSION_KEY: ClassVar[str] = "signup_state"

    # Step 1
    email: str = ""
    identifier_type: str = ""
    identifier: str = ""
    without_siret: bool = False
    outcome: str = ""
    sirene_unavailable: bool = False
    prefill: dict = field(default_factory=dict)
    structure_id: int | None = None
    # Step 2: what the person typed (never the captcha), kept across errors and the back button
    draft: dict = field(default_factory=dict)
    submission_key: str = ""
    submitted: bool = False
    user_id: int | None = None
    structure_created: bool = False
    attachment_requested: bool = False
    # The structure created or asked for at step 2 (its workspaces bound those of step 3)
    result_structure_id: int | None = None
    # Step 3
    workspaces: list = field(default_factory=list)
    workspaces_done: bool = False

    @classmethod
    def load(cls, session) -> "SignupState":
        raw = session.get(cls.SESSION_KEY)
        if not isinstance(raw, dict):
            return cls()
        names = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{key: value for key, value in raw.items() if key in names})
        except TypeError:
            return cls()

    def save(self, session) -> None:
        session[self.SESSION_KEY] = dataclasses.asdict(self)

    @classmethod
    def clear(cls, session) -> None:
        session.pop(cls.SESSION_KEY, None)

    def start(self, *, email, identifier_type, identifier, without_siret) -> "SignupState":
        """A new identification (step 1). The same email keeps what was typed at step 2; the same structure
        keeps the structure block too."""
        same_email = email == self.email
        same_structure = same_email and (identifier_type, identifier) == (
            self.identifier_type,
            self.identifier,
        )
        draft = dict(self.draft) if same_email else {}
        if not same_structure:
            draft = {key: value for key, value in draft.items() if key in PERSONAL_DRAFT_FIELDS}
        return SignupState(
            email=email,
            identifier_type=identifier_type,
            identifier=identifier,
            without_siret=without_siret,
            draft=draft,
            submission_key=uuid.uuid4().hex,
        )

    @property
    def is_identified(self) -> bool:
        return bool(self.outcome)


PERSONAL_DRAFT_FIELDS = {
    "email_confirmation",
    "last_name",
    "first_name",
    "phone",
    "contact_email",
    "survey_consent",
}
