from celery import shared_task

from apps.partners.services import embed_token_uses_forget_expired


@shared_task(ignore_result=True)
def forget_used_embed_tokens_task() -> int:
    return embed_token_uses_forget_expired()
