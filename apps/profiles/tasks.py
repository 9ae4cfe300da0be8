from celery import shared_task

from apps.profiles.services import sign_in_links_forget_used


@shared_task(ignore_result=True)
def forget_used_sign_in_tokens_task() -> int:
    return sign_in_links_forget_used()
