"""Tenants' API keys: created (the plain key returned once, only its hash kept) and revoked."""

import secrets

from django.utils import timezone

from portal.models import (
    API_KEY_PREFIX,
    ApiKey,
    Project,
    api_key_digest,
)


def api_key_create(
    *,
    project: Project,
    name: str,
    scope: str = ApiKey.Scope.READ,
    expires_at=None,
    created_by=None,
) -> tuple[ApiKey, str]:
    """A new API key of `project`: (the stored key, the plain key to show once).

    The database keeps the key's SHA-256 and its visible start (`spk_<8 hex>`), never the key.
    """
    prefix = f"{API_KEY_PREFIX}_{secrets.token_hex(4)}"
    plain_key = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        project=project,
        name=name,
        scope=scope,
        expires_at=expires_at,
        created_by=created_by,
        prefix=prefix,
        key_hash=api_key_digest(plain_key),
    )
    key.full_clean(exclude=["prefix", "key_hash"])
    key.save()
    return key, plain_key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Stop `key` working at once (kept, so that the audit log can still name it)."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# --- staff of a project: invitations, roles, removals ---------------------------------------------
