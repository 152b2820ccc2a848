"""The survey message, its answered and expired forms, and the comment modal.

Action ids are the contract with the listeners: ``cx_score_<n>`` buttons carry
``<survey id>:<score>``, ``cx_reason_<key>`` carry ``<survey id>:<key>`` and
``cx_comment`` carries the survey id.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n.messages import REASONS, text
from bot.mrkdwn import escape_mrkdwn
from storage.survey_types import SURVEYS

COMMENT_MODAL = "cx_comment_modal"
COMMENT_BLOCK = "comment"
COMMENT_INPUT = "text"
COMMENT_MAX = 3000  # Slack's limit for a plain-text input


def tone(survey_type: str, score: int) -> str:
    """low (detractor), mid or high (promoter) — decides how we ask for a comment."""
    survey = SURVEYS[survey_type]
    return "low" if survey.is_detractor(score) else "high" if survey.is_promoter(score) else "mid"


def _score_buttons(survey_id: int, survey_type: str, chosen: int | None = None) -> ActionsBlock:
    buttons = [
        ButtonElement(
            text=PlainTextObject(text=str(score)),
            action_id=f"cx_score_{score}",
            value=f"{survey_id}:{score}",
            style="primary" if score == chosen else None,
        )
        for score in SURVEYS[survey_type].scale
    ]
    return ActionsBlock(block_id="cx_scores", elements=buttons)


def survey_text(survey_type: str, language: str, ticket: str) -> str:
    """The question alone: the notification and fallback text (both mrkdwn, so the helpdesk's id is escaped)."""
    return text(f"question_{survey_type}", language, ticket=escape_mrkdwn(ticket))


def reminder_text(language: str, ticket: str) -> str:
    """The one nudge in the survey's thread; the helpdesk's ticket id is escaped like the question's."""
    return text("reminder", language, ticket=escape_mrkdwn(ticket))


def survey_blocks(survey_id: int, survey_type: str, language: str, ticket: str) -> list[dict]:
    """One question, one row of numbered buttons, and what the ends of the scale mean."""
    return [
        SectionBlock(
            text=MarkdownTextObject(text=f"*{survey_text(survey_type, language, ticket)}*")
        ).to_dict(),
        _score_buttons(survey_id, survey_type).to_dict(),
        ContextBlock(
            elements=[PlainTextObject(text=text(f"scale_{survey_type}", language))]
        ).to_dict(),
    ]


def answered_blocks(
    survey_id: int, survey_type: str, language: str, ticket: str, score: int
) -> list[dict]:
    """Thanks, a comment prompt fitting the score, quick reasons when it was low, and the scale to change it."""
    mood = tone(survey_type, score)
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(text=f"*{survey_text(survey_type, language, ticket)}*")
        ).to_dict(),
        SectionBlock(text=MarkdownTextObject(text=text("thanks", language, score=score))).to_dict(),
        SectionBlock(text=MarkdownTextObject(text=text(f"ask_{mood}", language))).to_dict(),
    ]
    actions = [
        ButtonElement(
            text=PlainTextObject(text=text("add_comment", language)),
            action_id="cx_comment",
            value=str(survey_id),
            style="primary",
        )
    ]
    if mood == "low":
        actions += [
            ButtonElement(
                text=PlainTextObject(text=text(f"reason_{key}", language)),
                action_id=f"cx_reason_{key}",
                value=f"{survey_id}:{key}",
            )
            for key in REASONS
        ]
    blocks.append(ActionsBlock(block_id="cx_comment_actions", elements=actions).to_dict())
    blocks.append(_score_buttons(survey_id, survey_type, chosen=score).to_dict())
    blocks.append(
        ContextBlock(elements=[PlainTextObject(text=text("reply_hint", language))]).to_dict()
    )
    return blocks


def expired_blocks(survey_type: str, language: str, ticket: str, score: int | None) -> list[dict]:
    """The survey with its buttons removed once the answer window has closed."""
    lines = [f"*{survey_text(survey_type, language, ticket)}*"]
    if score is not None:
        lines.append(text("thanks", language, score=score))
    lines.append(text("expired", language))
    return [SectionBlock(text=MarkdownTextObject(text="\n".join(lines))).to_dict()]


def comment_modal(survey_id: int, language: str) -> dict:
    """A modal with one optional multi-line comment field (up to Slack's 3,000 characters)."""
    view = View(
        type="modal",
        callback_id=COMMENT_MODAL,
        private_metadata=str(survey_id),
        title=PlainTextObject(text=text("modal_title", language)[:24]),
        submit=PlainTextObject(text=text("modal_submit", language)),
        close=PlainTextObject(text=text("modal_close", language)),
        blocks=[
            InputBlock(
                block_id=COMMENT_BLOCK,
                label=PlainTextObject(text=text("modal_label", language)),
                element=PlainTextInputElement(
                    action_id=COMMENT_INPUT, multiline=True, max_length=COMMENT_MAX
                ),
                optional=True,
            )
        ],
    )
    return view.to_dict()
