"""The tenancy domain: Stringee projects (tenants), their numbers, app users and staff, and the
portal's own records (API keys, change history, exports)."""

from portal.models.api_keys import API_KEY_PREFIX, ApiKey, api_key_digest
from portal.models.app_users import AppUser
from portal.models.audit_entry import AuditEntry
from portal.models.base import CheckedInPython, validate_audio_file
from portal.models.callouts import Callout, CalloutState, PartyKind
from portal.models.dialling import AllowedDestination, dial_policy
from portal.models.export import Export
from portal.models.members import Membership
from portal.models.numbers import StringeeState, VirtualNumber
from portal.models.projects import (
    DEFAULT_FALLBACK_MESSAGE,
    ENGLISH_VOICES,
    CallerVoice,
    Project,
    SigningMode,
    WebhookSignatureFailure,
    mask_secret,
    new_webhook_token,
    validate_time_zone,
)
from portal.models.stringee import ProjectCreation, StringeeSync

__all__ = [
    "API_KEY_PREFIX",
    "DEFAULT_FALLBACK_MESSAGE",
    "ENGLISH_VOICES",
    "AllowedDestination",
    "ApiKey",
    "AppUser",
    "AuditEntry",
    "CallerVoice",
    "Callout",
    "CalloutState",
    "CheckedInPython",
    "Export",
    "Membership",
    "PartyKind",
    "Project",
    "ProjectCreation",
    "SigningMode",
    "StringeeState",
    "StringeeSync",
    "VirtualNumber",
    "WebhookSignatureFailure",
    "api_key_digest",
    "dial_policy",
    "mask_secret",
    "new_webhook_token",
    "validate_audio_file",
    "validate_time_zone",
]
