"""Every write of the tenancy domain, by concept: `numbers` (the inventory), `projects` (switched
on and off; app users; webhook tokens), `api_keys`, `members` (staff invitations, roles,
removals), `number_import` (reading a file of numbers), `stringee` (asking that Stringee be told,
or that it create a project) and `callouts` (outbound calls). The admin, the API and the
management commands all write through these functions; their names are re-exported here."""

from portal.services.api_keys import api_key_create, api_key_revoke
from portal.services.callouts import (
    CalloutFailed,
    CeilingReached,
    StringeeNotConnected,
    callout_place,
    callout_settled,
    row_settled,
)
from portal.services.members import (
    LAST_OWNER,
    Invitation,
    InvitationNotSent,
    NotAllowed,
    find_invitee,
    may_manage_members,
    member_invite,
    member_invite_check,
    member_removal_check,
    member_remove,
    member_role_check,
    member_set_role,
)
from portal.services.numbers import (
    NumberUnavailable,
    claimable,
    number_assign,
    number_relabel,
    number_release,
    numbers_import,
    numbers_recycle,
)
from portal.services.projects import (
    app_user_save,
    project_rotate_webhook_token,
    project_set_active,
)
from portal.services.stringee import (
    numbers_push_request,
    project_creation_request,
    stringee_sync_request,
)

__all__ = [
    "LAST_OWNER",
    "CalloutFailed",
    "CeilingReached",
    "Invitation",
    "InvitationNotSent",
    "NotAllowed",
    "NumberUnavailable",
    "StringeeNotConnected",
    "api_key_create",
    "api_key_revoke",
    "app_user_save",
    "callout_place",
    "callout_settled",
    "claimable",
    "find_invitee",
    "may_manage_members",
    "member_invite",
    "member_invite_check",
    "member_removal_check",
    "member_remove",
    "member_role_check",
    "member_set_role",
    "number_assign",
    "number_relabel",
    "number_release",
    "numbers_import",
    "numbers_push_request",
    "numbers_recycle",
    "project_creation_request",
    "project_rotate_webhook_token",
    "project_set_active",
    "row_settled",
    "stringee_sync_request",
]
