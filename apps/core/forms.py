from django import forms
from django.core.files.uploadedfile import UploadedFile

from apps.core.exceptions import ApplicationError
from apps.core.images import image_renditions


class ImageUploadField(forms.FileField):
    """An upload that must be an image we can read; the service stores clean renditions."""

    def clean(self, data, initial=None) -> UploadedFile | None:
        upload = super().clean(data, initial)
        if upload:
            try:
                image_renditions(upload, {"check": 16})
            except ApplicationError as problem:
                raise forms.ValidationError(problem.message) from None
            upload.seek(0)
        return upload
