"""The POST data a Django admin change page would send back unchanged, for tests that edit
a few fields through the admin as staff do."""


def admin_form_data(response) -> dict:
    forms = [response.context["adminform"].form]
    data = {}
    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    while formsets:
        formset = formsets.pop(0)
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        forms.extend(formset.forms)
        # Nested inlines (the campaign builder's answers inside each question).
        for form in formset.forms:
            formsets.extend(getattr(form, "nested_formsets", []))
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value
    return data
