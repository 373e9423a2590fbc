"""The system messages callers hear, in the project's caller language and voice.

The engine knows them in English (its constants); the snapshot stores them translated for the
project (`spoken_prompts`) with the project's voice, so the answer_url speaks Vietnamese without a
query or a catalog look-up per call. A message staff wrote themselves is spoken as written.
"""

from django.utils import translation

from portal.models import DEFAULT_FALLBACK_MESSAGE, Project
from routing.engine.destinations import INVALID_CHOICE_MESSAGE, VOICEMAIL_PROMPT, fallback_scco
from routing.engine.masking import ENDED_MESSAGE, STRANGER_MESSAGE
from routing.engine.types import Action

SYSTEM_PROMPTS = {
    "voicemail": VOICEMAIL_PROMPT,
    "invalid_choice": INVALID_CHOICE_MESSAGE,
    "masking_stranger": STRANGER_MESSAGE,
    "masking_ended": ENDED_MESSAGE,
}


def spoken_prompts(project: Project) -> dict[str, str]:
    """The project's fallback message and the system prompts, in its caller language."""
    with translation.override(project.caller_language):
        prompts = {key: translation.gettext(text) for key, text in SYSTEM_PROMPTS.items()}
        fallback = project.fallback_message
        if not fallback or fallback == DEFAULT_FALLBACK_MESSAGE:
            fallback = translation.gettext(DEFAULT_FALLBACK_MESSAGE)
    return {"fallback": fallback, **prompts}


def spoken_fallback(project: Project) -> list[Action]:
    """The fallback SCCO when the routing table itself is not usable (bad input, errors)."""
    return fallback_scco(spoken_prompts(project)["fallback"], voice=project.spoken_voice)
