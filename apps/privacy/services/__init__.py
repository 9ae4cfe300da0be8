from apps.privacy.services.access_log import access_log_record
from apps.privacy.services.data_requests import (
    DownloadRefused,
    data_request_create,
    data_request_retry,
    data_requests_start_waiting,
    export_download_check,
    export_download_token,
)
from apps.privacy.services.erasure import data_request_erase_run
from apps.privacy.services.exports import data_request_export_build, export_files_forget_expired
from apps.privacy.services.notices import (
    partner_notices_acknowledge_delivered,
    partner_notices_confirm,
    partner_notices_record,
)
from apps.privacy.services.retention import retention_sweep

__all__ = [
    "DownloadRefused",
    "access_log_record",
    "data_request_create",
    "data_request_erase_run",
    "data_request_export_build",
    "data_request_retry",
    "data_requests_start_waiting",
    "export_download_check",
    "export_download_token",
    "export_files_forget_expired",
    "partner_notices_acknowledge_delivered",
    "partner_notices_confirm",
    "partner_notices_record",
    "retention_sweep",
]
