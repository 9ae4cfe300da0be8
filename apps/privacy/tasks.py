from celery import shared_task

from apps.privacy.services.data_requests import data_requests_start_waiting
from apps.privacy.services.erasure import data_request_erase_run
from apps.privacy.services.exports import data_request_export_build, export_files_forget_expired
from apps.privacy.services.notices import partner_notices_acknowledge_delivered
from apps.privacy.services.retention import retention_sweep


# Safe to run twice: the request is claimed under a row lock, and a second run finds it taken.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_export_task(data_request_id: int) -> None:
    data_request_export_build(data_request_id=data_request_id)


# Safe to run twice, as above; a run that dies half-way is retried from the desk and goes on
# where it stopped, because every step deletes only what is still there.
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def erase_profile_task(data_request_id: int) -> None:
    data_request_erase_run(data_request_id=data_request_id)


@shared_task(ignore_result=True)
def run_waiting_data_requests_task() -> int:
    return data_requests_start_waiting()


@shared_task(ignore_result=True)
def check_partner_acknowledgements_task() -> int:
    return partner_notices_acknowledge_delivered()


@shared_task(ignore_result=True)
def forget_old_exports_task() -> int:
    return export_files_forget_expired()


# Runs once a night; a second run the same night finds nothing due and records zeros.
@shared_task(ignore_result=True)
def retention_sweep_task() -> dict[str, int]:
    return retention_sweep().removed
